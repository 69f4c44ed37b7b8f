-- Argo CD health of a FailoverRequest, read from its phase and the kstatus conditions the avd-dr
-- operator keeps (Ready, Reconciling, Stalled). Uses only Lua's base and table libraries: Argo CD
-- opens no others for a health check set in argocd-cm.
local function health(status, message)
  return { status = status, message = message }
end

if obj.status == nil or obj.status.observedGeneration == nil then
  return health("Progressing", "Waiting for the avd-dr operator to admit the request")
end
-- As kstatus does: a status written for an older generation says nothing about this one.
if obj.metadata.generation ~= nil and obj.status.observedGeneration ~= obj.metadata.generation then
  return health("Progressing", "Waiting for the avd-dr operator to observe generation " ..
    obj.metadata.generation .. " (status describes generation " .. obj.status.observedGeneration .. ")")
end

-- The message (or reason) of the condition `conditionType` when it has `status`; nil otherwise.
local function says(conditionType, status)
  for _, c in ipairs(obj.status.conditions or {}) do
    if c.type == conditionType and c.status == status then
      if c.message ~= nil and c.message ~= "" then
        return c.message
      end
      return c.reason or c.type
    end
  end
  return nil
end

local phase = obj.status.phase
local message = obj.status.message
if phase == "Succeeded" then
  return health("Healthy", says("Ready", "True") or message or phase)
end
if phase == "Failed" or phase == "Rejected" or says("Stalled", "True") ~= nil then
  return health("Degraded", says("Stalled", "True") or message or phase)
end

-- Running (a phase before Succeeded), or not decided yet (no phase: waiting for its plan or
-- behind an earlier request).
local progress = says("Reconciling", "True") or message or "Waiting for the avd-dr operator"
if phase ~= nil then
  progress = phase .. ": " .. progress
end
return health("Progressing", progress)
