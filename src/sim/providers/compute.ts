// Microsoft.Compute virtual machines: get (with instanceView), list by resource group and
// by subscription (with the power state of each VM through $expand=instanceView or
// statusOnly=true), and start, deallocate, powerOff as long-running operations. While a
// power change runs the VM's provisioning state is Updating, as Azure documents it.
import { badRequest, notFound, origin, type SimRequest } from "../http.ts";
import type { SimOperation } from "../operations.ts";
import {
  iso,
  operationStatusRoutes,
  type ProviderRoute,
  page,
  type ResourceProvider,
  rgPath,
  type SimContext,
} from "../provider.ts";
import type { PowerState, VirtualMachine } from "../world.ts";

const namespace = "Microsoft.Compute";
const vmPath = `${rgPath}/providers/Microsoft.Compute/virtualMachines/{vmName}`;
const displayStatus: Record<PowerState, string> = {
  starting: "VM starting",
  running: "VM running",
  stopping: "VM stopping",
  stopped: "VM stopped",
  deallocating: "VM deallocating",
  deallocated: "VM deallocated",
};
/** Power states on the way to another: a start, stop or deallocation is under way (an update). */
const transitional = new Set<PowerState>(["starting", "stopping", "deallocating"]);

export const computeProvider: ResourceProvider = {
  namespace,
  // What @azure/arm-compute 24 sends (2026-03-01) and the versions before it still in use.
  apiVersions: [
    "2023-09-01",
    "2024-03-01",
    "2024-07-01",
    "2024-11-01",
    "2025-04-01",
    "2025-11-01",
    "2026-03-01",
  ],
  routes: (ctx) => [
    {
      method: "GET",
      path: vmPath,
      operation: "Microsoft.Compute/virtualMachines/read",
      handler: (req) => {
        const expand = expandOf(req, ["instanceView", "userData", "resiliencyView"]);
        return { status: 200, body: render(vmOf(ctx, req), expand === "instanceView") };
      },
    },
    {
      method: "GET",
      path: `${vmPath}/instanceView`,
      operation: "Microsoft.Compute/virtualMachines/instanceView/read",
      handler: (req) => ({ status: 200, body: instanceView(vmOf(ctx, req)) }),
    },
    {
      method: "GET",
      path: `${rgPath}/providers/Microsoft.Compute/virtualMachines`,
      operation: "Microsoft.Compute/virtualMachines/read",
      handler: (req) => {
        const withStatus = expandOf(req, ["instanceView"]) === "instanceView";
        const vms = ctx.world.inResourceGroup(ctx.world.virtualMachines, req.params.resourceGroupName!);
        return page(req, ctx, vms, (vm) => render(vm, withStatus));
      },
    },
    {
      method: "GET",
      path: "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachines",
      operation: "Microsoft.Compute/virtualMachines/read",
      handler: (req) => {
        const statusOnly = req.url.searchParams.get("statusOnly");
        if (statusOnly !== null && statusOnly !== "true" && statusOnly !== "false") {
          throw badRequest(
            `The value '${statusOnly}' of statusOnly is invalid; use true or false.`,
            "InvalidParameter",
          );
        }
        const withStatus = statusOnly === "true" || expandOf(req, ["instanceView"]) === "instanceView";
        return page(req, ctx, [...ctx.world.virtualMachines.values()], (vm) => render(vm, withStatus));
      },
    },
    powerAction(ctx, "start", (vm) => ctx.world.startVm(vm)),
    powerAction(ctx, "deallocate", (vm) => ctx.world.deallocateVm(vm)),
    powerAction(ctx, "powerOff", (vm) => ctx.world.powerOffVm(vm)),
    ...operationStatusRoutes(ctx, namespace),
  ],
};

// The power operation still running on each VM. As in Azure, a newer power operation that
// changes the VM's course (start while deallocating) preempts it: the older one ends
// Canceled with OperationPreempted. Repeating the same action does not; both end together,
// and repeating it on a VM already there ends at once.
const running = new WeakMap<VirtualMachine, SimOperation>();
const preempted = {
  code: "OperationPreempted",
  message: "Operation execution has been preempted by a more recent operation.",
};

function powerAction(ctx: SimContext, action: string, act: (vm: VirtualMachine) => number): ProviderRoute {
  const kind = `Microsoft.Compute/virtualMachines/${action}/action`;
  return {
    method: "POST",
    path: `${vmPath}/${action}`,
    operation: kind,
    handler: (req) => {
      const vm = vmOf(ctx, req);
      const epoch = vm.powerEpoch;
      const completesAt = act(vm);
      const previous = running.get(vm);
      if (previous && vm.powerEpoch !== epoch) ctx.operations.cancel(previous, preempted);
      const op = ctx.operations.begin({
        kind,
        target: vm.id,
        provider: namespace,
        location: vm.location,
        completesAt,
      });
      running.set(vm, op);
      return ctx.operations.accepted(op, origin(req), req.url.searchParams.get("api-version")!);
    },
  };
}

function vmOf(ctx: SimContext, req: SimRequest): VirtualMachine {
  const { resourceGroupName, vmName } = req.params as { resourceGroupName: string; vmName: string };
  const vm = ctx.world.virtualMachine(resourceGroupName, vmName);
  if (!vm) throw notFound(`Microsoft.Compute/virtualMachines/${vmName}`);
  return vm;
}

function expandOf(req: SimRequest, allowed: readonly string[]): string | undefined {
  const expand = req.url.searchParams.get("$expand");
  if (expand === null) return undefined;
  const match = allowed.find((a) => a.toLowerCase() === expand.toLowerCase());
  if (!match) {
    throw badRequest(
      `The value '${expand}' of parameter '$expand' is invalid; allowed: ${allowed.join(", ")}.`,
      "InvalidParameter",
    );
  }
  return match;
}

function instanceView(vm: VirtualMachine) {
  const provisioning = transitional.has(vm.power)
    ? { code: "ProvisioningState/updating", level: "Info", displayStatus: "Updating" }
    : {
        code: "ProvisioningState/succeeded",
        level: "Info",
        displayStatus: "Provisioning succeeded",
        time: iso(vm.provisionedAt),
      };
  return {
    computerName: vm.name,
    osName: "Windows 11 Enterprise multi-session",
    statuses: [
      provisioning,
      { code: `PowerState/${vm.power}`, level: "Info", displayStatus: displayStatus[vm.power] },
    ],
  };
}

function render(vm: VirtualMachine, withInstanceView: boolean) {
  return {
    id: vm.id,
    name: vm.name,
    type: "Microsoft.Compute/virtualMachines",
    location: vm.location,
    tags: vm.tags,
    properties: {
      vmId: vm.vmId,
      hardwareProfile: { vmSize: vm.size },
      provisioningState: transitional.has(vm.power) ? "Updating" : "Succeeded",
      ...(withInstanceView ? { instanceView: instanceView(vm) } : {}),
    },
  };
}
