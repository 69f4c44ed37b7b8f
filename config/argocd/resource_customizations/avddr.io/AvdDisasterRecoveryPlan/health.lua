-- Argo CD health of an AvdDisasterRecoveryPlan, read from the kstatus conditions the
-- avd-dr operator keeps (Ready, Reconciling, Stalled). Uses only Lua's base and table
-- libraries: Argo CD opens no others for a health check set in argocd-cm.
local hs = {}

local function condition(conditionType)
  for _, c in ipairs(obj.status.conditions or {}) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function explain(c, fallback)
  if c == nil then
    return fallback
  end
  if c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return c.reason or fallback
end

if obj.status == nil or obj.status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the avd-dr operator to report the plan's status"
  return hs
end

local generation = obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the avd-dr operator to observe generation " .. generation ..
    " (status describes generation " .. obj.status.observedGeneration .. ")"
  return hs
end

local ready = condition("Ready")
local stalled = condition("Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = explain(stalled, "Stalled")
  return hs
end

if obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = explain(ready, "spec.suspend is true")
  return hs
end

local reconciling = condition("Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = explain(reconciling, "Reconciling")
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = explain(ready, "Ready")
  return hs
end

if ready ~= nil and ready.status == "False" then
  -- Not ready, and the operator is neither working on it nor stuck: someone should look.
  hs.status = "Degraded"
  hs.message = explain(ready, "Not ready")
  return hs
end

hs.status = "Progressing"
hs.message = explain(ready, "Waiting for the avd-dr operator to report readiness")
return hs
