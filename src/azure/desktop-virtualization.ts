// DesktopVirtualizationGateway over @azure/arm-desktopvirtualization (AutoRest HLC, which
// flattens the wire's `properties`). Lists follow nextLink through the SDK's iterators.
import { DesktopVirtualizationAPIClient } from "@azure/arm-desktopvirtualization";
import type { TokenCredential } from "@azure/identity";
import { collect } from "./collect.ts";
import type { AzureConnection } from "./connection.ts";
import { AzureError, azureCall, azureGet } from "./errors.ts";
import type {
  ApplicationGroupInfo,
  DesktopVirtualizationGateway,
  HostPoolInfo,
  SessionHostInfo,
  UserSessionInfo,
  UserSessionRef,
  WorkspaceInfo,
} from "./gateways.ts";

type SdkHostPool = Awaited<ReturnType<DesktopVirtualizationAPIClient["hostPools"]["get"]>>;
type SdkSessionHost = Awaited<ReturnType<DesktopVirtualizationAPIClient["sessionHosts"]["get"]>>;
type SdkUserSession = Awaited<ReturnType<DesktopVirtualizationAPIClient["userSessions"]["get"]>>;

export class DesktopVirtualizationAdapter implements DesktopVirtualizationGateway {
  readonly #client: DesktopVirtualizationAPIClient;

  constructor(connection: AzureConnection, credential: TokenCredential, options: object) {
    this.#client = new DesktopVirtualizationAPIClient(credential, connection.subscriptionId, options);
  }

  listHostPools(resourceGroup: string): Promise<HostPoolInfo[]> {
    return azureCall(`listing the host pools of ${resourceGroup}`, () =>
      collect(this.#client.hostPools.listByResourceGroup(resourceGroup), (p) =>
        hostPoolInfo(p, resourceGroup),
      ),
    );
  }

  getHostPool(resourceGroup: string, hostPool: string): Promise<HostPoolInfo | undefined> {
    return azureGet(`reading host pool ${resourceGroup}/${hostPool}`, async () =>
      hostPoolInfo(await this.#client.hostPools.get(resourceGroup, hostPool), resourceGroup),
    );
  }

  listSessionHosts(resourceGroup: string, hostPool: string): Promise<SessionHostInfo[]> {
    return azureCall(`listing the session hosts of ${resourceGroup}/${hostPool}`, () =>
      collect(this.#client.sessionHosts.list(resourceGroup, hostPool), (h) =>
        sessionHostInfo(h, resourceGroup, hostPool),
      ),
    );
  }

  setAllowNewSession(
    resourceGroup: string,
    hostPool: string,
    sessionHost: string,
    allow: boolean,
  ): Promise<SessionHostInfo> {
    return azureCall(`setting allowNewSession=${allow} on ${hostPool}/${sessionHost}`, async () =>
      sessionHostInfo(
        await this.#client.sessionHosts.update(resourceGroup, hostPool, sessionHost, {
          sessionHost: { allowNewSession: allow },
        }),
        resourceGroup,
        hostPool,
      ),
    );
  }

  listUserSessions(resourceGroup: string, hostPool: string): Promise<UserSessionInfo[]> {
    return azureCall(`listing the user sessions of ${resourceGroup}/${hostPool}`, () =>
      collect(this.#client.userSessions.listByHostPool(resourceGroup, hostPool), (s) =>
        userSessionInfo(s, resourceGroup, hostPool),
      ),
    );
  }

  sendMessage(session: UserSessionRef, title: string, body: string): Promise<void> {
    return azureCall(`sending a message to ${describe(session)}`, () =>
      this.#client.userSessions.sendMessage(
        session.resourceGroup,
        session.hostPool,
        session.sessionHost,
        session.sessionId,
        {
          sendMessage: { messageTitle: title, messageBody: body },
        },
      ),
    );
  }

  async logOff(session: UserSessionRef): Promise<void> {
    try {
      await azureCall(`logging off ${describe(session)}`, () =>
        this.#client.userSessions.delete(
          session.resourceGroup,
          session.hostPool,
          session.sessionHost,
          session.sessionId,
          {
            force: true,
          },
        ),
      );
    } catch (error) {
      // Already gone (signed out, or logged off before a restart): the goal is reached.
      if (!(error instanceof AzureError && error.notFound)) throw error;
    }
  }

  listApplicationGroups(resourceGroup: string): Promise<ApplicationGroupInfo[]> {
    return azureCall(`listing the application groups of ${resourceGroup}`, () =>
      collect(this.#client.applicationGroups.listByResourceGroup(resourceGroup), (g) => ({
        id: g.id ?? "",
        name: g.name ?? "",
        hostPoolId: g.hostPoolArmPath,
        ...(g.workspaceArmPath ? { workspaceId: g.workspaceArmPath } : {}),
        applicationGroupType: g.applicationGroupType,
      })),
    );
  }

  listWorkspaces(resourceGroup: string): Promise<WorkspaceInfo[]> {
    return azureCall(`listing the workspaces of ${resourceGroup}`, () =>
      collect(this.#client.workspaces.listByResourceGroup(resourceGroup), (w) => ({
        id: w.id ?? "",
        name: w.name ?? "",
        applicationGroupIds: w.applicationGroupReferences ?? [],
      })),
    );
  }
}

const describe = (s: UserSessionRef) => `user session ${s.hostPool}/${s.sessionHost}/${s.sessionId}`;

/** The last segment of a "pool/host" or "pool/host/id" name. */
const lastSegment = (name: string | undefined) => name?.split("/").at(-1) ?? "";

function hostPoolInfo(p: SdkHostPool, resourceGroup: string): HostPoolInfo {
  return {
    id: p.id ?? "",
    name: p.name ?? "",
    resourceGroup,
    location: p.location ?? "",
    hostPoolType: p.hostPoolType,
    loadBalancerType: p.loadBalancerType,
    ...(p.maxSessionLimit !== undefined ? { maxSessionLimit: p.maxSessionLimit } : {}),
  };
}

function sessionHostInfo(h: SdkSessionHost, resourceGroup: string, hostPool: string): SessionHostInfo {
  return {
    id: h.id ?? "",
    name: lastSegment(h.name),
    resourceGroup,
    hostPool,
    status: h.status ?? "Unknown",
    allowNewSession: h.allowNewSession ?? false,
    sessions: h.sessions ?? 0,
    ...(h.assignedUser ? { assignedUser: h.assignedUser } : {}),
    ...(h.resourceId ? { vmResourceId: h.resourceId } : {}),
    ...(h.virtualMachineId ? { virtualMachineId: h.virtualMachineId } : {}),
    ...(h.lastHeartBeat ? { lastHeartBeat: h.lastHeartBeat } : {}),
  };
}

function userSessionInfo(s: SdkUserSession, resourceGroup: string, hostPool: string): UserSessionInfo {
  // The id ends in …/sessionHosts/{fqdn}/userSessions/{id}.
  const parts = (s.id ?? "").split("/");
  return {
    id: s.id ?? "",
    resourceGroup,
    hostPool,
    sessionHost: parts.at(-3) ?? "",
    sessionId: parts.at(-1) ?? lastSegment(s.name),
    userPrincipalName: s.userPrincipalName ?? "",
    state: s.sessionState ?? "Unknown",
    ...(s.createTime ? { createTime: s.createTime } : {}),
  };
}
