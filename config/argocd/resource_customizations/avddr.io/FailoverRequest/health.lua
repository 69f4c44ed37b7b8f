-- Argo CD health of a FailoverRequest, read from its phase and the kstatus conditions the
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
  hs.message = "Waiting for the avd-dr operator to admit the request"
  return hs
end

local generation = obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the avd-dr operator to observe generation " .. generation ..
    " (status describes generation " .. obj.status.observedGeneration .. ")"
  return hs
end

local phase = obj.status.phase
local ready = condition("Ready")
local stalled = condition("Stalled")
if phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = explain(ready, obj.status.message or "Succeeded")
  return hs
end

if phase == "Failed" or phase == "Rejected" or (stalled ~= nil and stalled.status == "True") then
  hs.status = "Degraded"
  hs.message = explain(stalled, obj.status.message or phase or "Stalled")
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = explain(ready, "Ready")
  return hs
end

-- Running (a phase before Succeeded), or not decided yet (no phase: waiting for its plan or
-- behind an earlier request).
local reconciling = condition("Reconciling")
local message = explain(reconciling, obj.status.message or "Waiting for the avd-dr operator")
hs.status = "Progressing"
if phase ~= nil then
  hs.message = phase .. ": " .. message
else
  hs.message = message
end
return hs
