-- Argo CD health of an AvdDisasterRecoveryPlan, read from the kstatus conditions the avd-dr
-- operator keeps (Ready, Reconciling, Stalled). Uses only Lua's base and table libraries:
-- Argo CD opens no others for a health check set in argocd-cm.
local function health(status, message)
  return { status = status, message = message }
end

-- The condition's message (or reason) when it has the given status; nil otherwise.
local function says(c, status)
  if c == nil or c.status ~= status then
    return nil
  end
  if c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return c.reason or c.type
end

if obj.status == nil or obj.status.observedGeneration == nil then
  return health("Progressing", "Waiting for the avd-dr operator to report the plan's status")
end
local generation = obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= generation then
  return health("Progressing", "Waiting for the avd-dr operator to observe generation " .. generation ..
    " (status describes generation " .. obj.status.observedGeneration .. ")")
end

local conditions = {}
for _, c in ipairs(obj.status.conditions or {}) do
  conditions[c.type] = c
end
local ready = conditions["Ready"]

-- The operator checks the spec before it honours spec.suspend: an invalid plan is Stalled either way.
local stalled = says(conditions["Stalled"], "True")
if stalled ~= nil then
  return health("Degraded", stalled)
end
if obj.spec.suspend == true then
  return health("Suspended", says(ready, "Unknown") or "spec.suspend is true")
end
local reconciling = says(conditions["Reconciling"], "True")
if reconciling ~= nil then
  return health("Progressing", reconciling)
end
if says(ready, "True") ~= nil then
  return health("Healthy", says(ready, "True"))
end
-- Not ready, and the operator is neither working on it nor stuck: someone should look.
if says(ready, "False") ~= nil then
  return health("Degraded", says(ready, "False"))
end
return health("Progressing", says(ready, "Unknown") or "Waiting for the avd-dr operator to report readiness")
