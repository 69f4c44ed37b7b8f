// Microsoft.Resources: the subscription, its resource groups and its resources, so that
// tools can discover what the emulated subscription holds.
import { notFound } from "../http.ts";
import { page, type ResourceProvider } from "../provider.ts";
import type { ResourceGroup } from "../world.ts";

const renderGroup = (rg: ResourceGroup) => ({
  id: rg.id,
  name: rg.name,
  type: "Microsoft.Resources/resourceGroups",
  location: rg.location,
  properties: { provisioningState: "Succeeded" },
});

export const resourcesProvider: ResourceProvider = {
  namespace: "Microsoft.Resources",
  apiVersions: [
    "2020-01-01",
    "2021-04-01",
    "2022-09-01",
    "2022-12-01",
    "2024-03-01",
    "2024-07-01",
    "2025-04-01",
  ],
  routes: (ctx) => [
    {
      method: "GET",
      path: "/subscriptions/{subscriptionId}",
      operation: "Microsoft.Resources/subscriptions/read",
      handler: () => ({
        status: 200,
        body: {
          id: `/subscriptions/${ctx.world.subscriptionId}`,
          subscriptionId: ctx.world.subscriptionId,
          displayName: "avd-dr sim",
          state: "Enabled",
        },
      }),
    },
    {
      method: "GET",
      path: "/subscriptions/{subscriptionId}/resourcegroups",
      operation: "Microsoft.Resources/subscriptions/resourceGroups/read",
      handler: (req) => page(req, ctx, [...ctx.world.resourceGroups.values()], renderGroup),
    },
    {
      method: "GET",
      path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
      operation: "Microsoft.Resources/subscriptions/resourceGroups/read",
      handler: (req) => {
        const rg = ctx.world.resourceGroup(req.params.resourceGroupName!);
        if (!rg) throw notFound(`resourceGroups/${req.params.resourceGroupName}`);
        return { status: 200, body: renderGroup(rg) };
      },
    },
    {
      method: "GET",
      path: "/subscriptions/{subscriptionId}/resources",
      operation: "Microsoft.Resources/subscriptions/resources/read",
      handler: (req) => page(req, ctx, ctx.world.resources(), (r) => r),
    },
    {
      method: "GET",
      path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/resources",
      operation: "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
      handler: (req) => page(req, ctx, ctx.world.resources(req.params.resourceGroupName!), (r) => r),
    },
  ],
};
