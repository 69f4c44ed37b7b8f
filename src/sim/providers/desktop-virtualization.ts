// Microsoft.DesktopVirtualization: host pools, session hosts (status following their VM),
// user sessions (sendMessage, disconnect, DELETE as log-off), application groups and
// workspaces, listed per resource group and (host pools, application groups, workspaces) per
// subscription, at the api-version @azure/arm-desktopvirtualization 1.2 uses.
import { badRequest, jsonBody, notFound, type SimRequest } from "../http.ts";
import { iso, type ResourceProvider, rgPath, type SimContext } from "../provider.ts";
import type {
  ApplicationGroup,
  HostPool,
  SessionHost,
  SessionHostStatus,
  UserSession,
  Workspace,
} from "../world.ts";
import { type ListQuery, listPage } from "./desktop-virtualization-lists.ts";

const dv = `${rgPath}/providers/Microsoft.DesktopVirtualization`;
const dvSubscription = "/subscriptions/{subscriptionId}/providers/Microsoft.DesktopVirtualization";
const poolPath = `${dv}/hostPools/{hostPoolName}`;
const hostPath = `${poolPath}/sessionHosts/{sessionHostName}`;
const sessionPath = `${hostPath}/userSessions/{userSessionId}`;
const op = (what: string) => `Microsoft.DesktopVirtualization/${what}`;

// What each list takes besides api-version, as the 2024-04-03 spec has it.
const paged = { paging: true } as const;
const sessionQuery: ListQuery<UserSession> = {
  paging: true,
  filter: { userPrincipalName: (s) => s.userPrincipalName, sessionState: (s) => s.state },
};
const groupFilter = { applicationGroupType: (g: ApplicationGroup) => g.applicationGroupType };

export const desktopVirtualizationProvider: ResourceProvider = {
  namespace: "Microsoft.DesktopVirtualization",
  apiVersions: ["2022-09-09", "2023-09-05", "2024-04-03", "2024-04-08-preview"],
  routes: (ctx) => [
    {
      method: "GET",
      path: `${dv}/hostPools`,
      operation: op("hostpools/read"),
      handler: (req) =>
        listPage(
          req,
          ctx,
          ctx.world.inResourceGroup(ctx.world.hostPools, rg(req)),
          (p) => renderPool(ctx, p),
          paged,
        ),
    },
    {
      method: "GET",
      path: `${dvSubscription}/hostPools`,
      operation: op("hostpools/read"),
      handler: (req) =>
        listPage(req, ctx, [...ctx.world.hostPools.values()], (p) => renderPool(ctx, p), paged),
    },
    {
      method: "GET",
      path: poolPath,
      operation: op("hostpools/read"),
      handler: (req) => ({ status: 200, body: renderPool(ctx, poolOf(ctx, req)) }),
    },
    {
      method: "GET",
      path: `${poolPath}/sessionHosts`,
      operation: op("hostpools/sessionhosts/read"),
      handler: (req) =>
        listPage(req, ctx, [...poolOf(ctx, req).sessionHosts.values()], (h) => renderHost(ctx, h), paged),
    },
    {
      method: "GET",
      path: hostPath,
      operation: op("hostpools/sessionhosts/read"),
      handler: (req) => ({ status: 200, body: renderHost(ctx, hostOf(ctx, req)) }),
    },
    {
      method: "PATCH",
      path: hostPath,
      operation: op("hostpools/sessionhosts/write"),
      handler: (req) => {
        const host = hostOf(ctx, req);
        const change = sessionHostPatch(req, host);
        if (change.allowNewSession !== undefined) host.allowNewSession = change.allowNewSession;
        if (change.assignedUser !== undefined) host.assignedUser = change.assignedUser;
        req.auditDetails = change;
        return { status: 200, body: renderHost(ctx, host) };
      },
    },
    {
      method: "GET",
      path: `${poolPath}/userSessions`,
      operation: op("hostpools/sessionhosts/usersessions/read"),
      handler: (req) => {
        const sessions = [...poolOf(ctx, req).sessionHosts.values()].flatMap((h) => [...h.sessions.values()]);
        return listPage(req, ctx, sessions, renderSession, sessionQuery);
      },
    },
    {
      method: "GET",
      path: `${hostPath}/userSessions`,
      operation: op("hostpools/sessionhosts/usersessions/read"),
      // The spec gives a host's list no $filter (the SDK sends none).
      handler: (req) => listPage(req, ctx, [...hostOf(ctx, req).sessions.values()], renderSession, paged),
    },
    {
      method: "GET",
      path: sessionPath,
      operation: op("hostpools/sessionhosts/usersessions/read"),
      handler: (req) => ({ status: 200, body: renderSession(sessionOf(ctx, req)) }),
    },
    {
      method: "DELETE",
      path: sessionPath,
      operation: op("hostpools/sessionhosts/usersessions/delete"),
      handler: (req) => {
        const session = sessionOf(ctx, req);
        session.host.sessions.delete(session.id);
        req.auditDetails = {
          user: session.userPrincipalName,
          force: req.url.searchParams.get("force") === "true",
        };
        return { status: 200 };
      },
    },
    {
      method: "POST",
      path: `${sessionPath}/disconnect`,
      operation: op("hostpools/sessionhosts/usersessions/disconnect/action"),
      handler: (req) => {
        const session = sessionOf(ctx, req);
        session.state = "Disconnected";
        req.auditDetails = { user: session.userPrincipalName };
        return { status: 200 };
      },
    },
    {
      method: "POST",
      path: `${sessionPath}/sendMessage`,
      operation: op("hostpools/sessionhosts/usersessions/sendMessage/action"),
      handler: (req) => {
        const session = sessionOf(ctx, req);
        const body = jsonBody(req);
        for (const field of ["messageTitle", "messageBody"]) {
          if (body[field] !== undefined && typeof body[field] !== "string") {
            throw badRequest(`The request content was invalid: '${field}' must be a string.`);
          }
        }
        req.auditDetails = {
          user: session.userPrincipalName,
          messageTitle: body.messageTitle ?? "",
          messageBody: body.messageBody ?? "",
        };
        return { status: 200 };
      },
    },
    {
      method: "GET",
      path: `${dv}/applicationGroups`,
      operation: op("applicationgroups/read"),
      handler: (req) =>
        listPage(req, ctx, ctx.world.inResourceGroup(ctx.world.applicationGroups, rg(req)), renderAppGroup, {
          paging: true,
          filter: groupFilter,
        }),
    },
    {
      method: "GET",
      path: `${dvSubscription}/applicationGroups`,
      operation: op("applicationgroups/read"),
      handler: (req) =>
        listPage(req, ctx, [...ctx.world.applicationGroups.values()], renderAppGroup, {
          paging: false,
          filter: groupFilter,
        }),
    },
    {
      method: "GET",
      path: `${dv}/applicationGroups/{applicationGroupName}`,
      operation: op("applicationgroups/read"),
      handler: (req) => {
        const group = ctx.world.applicationGroup(rg(req), req.params.applicationGroupName!);
        if (!group)
          throw notFound(
            `Microsoft.DesktopVirtualization/applicationGroups/${req.params.applicationGroupName}`,
          );
        return { status: 200, body: renderAppGroup(group) };
      },
    },
    {
      method: "GET",
      path: `${dv}/workspaces`,
      operation: op("workspaces/read"),
      handler: (req) =>
        listPage(req, ctx, ctx.world.inResourceGroup(ctx.world.workspaces, rg(req)), renderWorkspace, paged),
    },
    {
      method: "GET",
      path: `${dvSubscription}/workspaces`,
      operation: op("workspaces/read"),
      handler: (req) =>
        listPage(req, ctx, [...ctx.world.workspaces.values()], renderWorkspace, { paging: false }),
    },
    {
      method: "GET",
      path: `${dv}/workspaces/{workspaceName}`,
      operation: op("workspaces/read"),
      handler: (req) => {
        const ws = ctx.world.workspace(rg(req), req.params.workspaceName!);
        if (!ws) throw notFound(`Microsoft.DesktopVirtualization/workspaces/${req.params.workspaceName}`);
        return { status: 200, body: renderWorkspace(ws) };
      },
    },
  ],
};

const rg = (req: SimRequest) => req.params.resourceGroupName!;

function poolOf(ctx: SimContext, req: SimRequest): HostPool {
  const pool = ctx.world.hostPool(rg(req), req.params.hostPoolName!);
  if (!pool) throw notFound(`Microsoft.DesktopVirtualization/hostPools/${req.params.hostPoolName}`);
  return pool;
}

function hostOf(ctx: SimContext, req: SimRequest): SessionHost {
  const pool = poolOf(ctx, req);
  const host = ctx.world.sessionHost(pool, req.params.sessionHostName!);
  if (!host)
    throw notFound(
      `Microsoft.DesktopVirtualization/hostPools/${pool.name}/sessionHosts/${req.params.sessionHostName}`,
    );
  return host;
}

function sessionOf(ctx: SimContext, req: SimRequest): UserSession {
  const host = hostOf(ctx, req);
  const session = host.sessions.get(req.params.userSessionId!);
  if (!session) throw notFound(`${host.pool.name}/${host.name}/userSessions/${req.params.userSessionId}`);
  return session;
}

// PATCH {properties:{allowNewSession?, assignedUser?}}; anything else the service owns.
function sessionHostPatch(
  req: SimRequest,
  host: SessionHost,
): { allowNewSession?: boolean; assignedUser?: string } {
  const body = jsonBody(req);
  const properties = body.properties ?? {};
  if (typeof properties !== "object" || properties === null || Array.isArray(properties)) {
    throw badRequest("The request content was invalid: 'properties' must be an object.");
  }
  const { allowNewSession, assignedUser } = properties as Record<string, unknown>;
  if (allowNewSession !== undefined && typeof allowNewSession !== "boolean") {
    throw badRequest("The request content was invalid: 'properties.allowNewSession' must be true or false.");
  }
  if (assignedUser !== undefined && typeof assignedUser !== "string") {
    throw badRequest(
      "The request content was invalid: 'properties.assignedUser' must be a user principal name.",
    );
  }
  if (assignedUser !== undefined && host.pool.hostPoolType !== "Personal") {
    throw badRequest(
      `Session host ${host.name} is in pooled host pool ${host.pool.name}; only personal hosts take an assigned user.`,
    );
  }
  return {
    ...(allowNewSession !== undefined ? { allowNewSession } : {}),
    ...(assignedUser !== undefined ? { assignedUser } : {}),
  };
}

function renderPool(ctx: SimContext, pool: HostPool) {
  const groups = [...ctx.world.applicationGroups.values()]
    .filter((g) => g.hostPool === pool)
    .map((g) => g.id);
  return {
    id: pool.id,
    name: pool.name,
    type: "Microsoft.DesktopVirtualization/hostpools",
    location: pool.location,
    properties: {
      objectId: pool.objectId,
      hostPoolType: pool.hostPoolType,
      loadBalancerType: pool.loadBalancerType,
      maxSessionLimit: pool.maxSessionLimit,
      ...(pool.personalDesktopAssignmentType
        ? { personalDesktopAssignmentType: pool.personalDesktopAssignmentType }
        : {}),
      ...(pool.friendlyName ? { friendlyName: pool.friendlyName } : {}),
      preferredAppGroupType: "Desktop",
      validationEnvironment: false,
      startVMOnConnect: false,
      applicationGroupReferences: groups,
    },
  };
}

// SessionHostProperties of the 2024-04-03 spec (example SessionHost_Update.json).
function renderHost(ctx: SimContext, host: SessionHost) {
  const status = ctx.world.status(host);
  const lastHeartBeat = iso(host.agentReady ? ctx.timeline.now() : host.lastHeartBeat);
  return {
    id: host.id,
    // The live service names a session host "pool/fqdn".
    name: `${host.pool.name}/${host.name}`,
    type: "Microsoft.DesktopVirtualization/hostpools/sessionhosts",
    properties: {
      objectId: host.objectId,
      lastHeartBeat,
      sessions: host.sessions.size,
      agentVersion: "1.0.9742.1200",
      allowNewSession: host.allowNewSession,
      virtualMachineId: host.vm.vmId,
      resourceId: host.vm.id,
      ...(host.assignedUser ? { assignedUser: host.assignedUser } : {}),
      status,
      statusTimestamp: iso(host.statusTimestamp),
      osVersion: "10.0.22631",
      sxSStackVersion: "rdp-sxs240926002",
      updateState: "Succeeded",
      updateErrorMessage: "",
      sessionHostHealthCheckResults: healthChecks(status, lastHeartBeat),
    },
  };
}

// The checks the spec marks "(Currently Enabled)"; a stopped or deallocated host reports the
// shutdown, otherwise the checks of its last heartbeat passed.
const enabledHealthChecks = [
  "DomainJoinedCheck",
  "DomainTrustCheck",
  "SxSStackListenerCheck",
  "MonitoringAgentCheck",
  "MetaDataServiceCheck",
  "AppAttachHealthCheck",
];

function healthChecks(status: SessionHostStatus, lastHeartBeat: string) {
  const healthCheckResult = status === "Shutdown" ? "SessionHostShutdown" : "HealthCheckSucceeded";
  return enabledHealthChecks.map((healthCheckName) => ({
    healthCheckName,
    healthCheckResult,
    additionalFailureDetails: { lastHealthCheckDateTime: lastHeartBeat },
  }));
}

function renderSession(session: UserSession) {
  const host = session.host;
  return {
    id: `${host.id}/userSessions/${session.id}`,
    name: `${host.pool.name}/${host.name}/${session.id}`,
    type: "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions",
    properties: {
      objectId: session.objectId,
      userPrincipalName: session.userPrincipalName,
      applicationType: "Desktop",
      sessionState: session.state,
      activeDirectoryUserName: `CONTOSO\\${session.userPrincipalName.split("@")[0]}`,
      createTime: iso(session.createTime),
    },
  };
}

function renderAppGroup(group: ApplicationGroup) {
  return {
    id: group.id,
    name: group.name,
    type: "Microsoft.DesktopVirtualization/applicationgroups",
    location: group.location,
    kind: group.applicationGroupType,
    properties: {
      objectId: group.objectId,
      hostPoolArmPath: group.hostPool.id,
      ...(group.workspace ? { workspaceArmPath: group.workspace.id } : {}),
      applicationGroupType: group.applicationGroupType,
    },
  };
}

function renderWorkspace(ws: Workspace) {
  return {
    id: ws.id,
    name: ws.name,
    type: "Microsoft.DesktopVirtualization/workspaces",
    location: ws.location,
    properties: { objectId: ws.objectId, applicationGroupReferences: ws.applicationGroups.map((g) => g.id) },
  };
}
