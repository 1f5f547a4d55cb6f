-- Argo CD health of a Cloud (one connection to one cloud account), read
-- from the kstatus conditions the operator writes:
--   Progressing  the operator has not yet looked at this generation, or it
--                is still trying (Reconciling=True, e.g. the cloud's
--                identity service is unreachable and retried)
--   Degraded     Stalled=True: the credentials or settings need a person;
--                the message is the condition's
--   Healthy      Ready=True: the credentials were accepted
-- Standing warnings (TLSVerificationDisabled, ConfigurationWarning) do not
-- make the Cloud unhealthy, since it works, but are appended to the
-- message so that they are seen in the Argo CD UI.
local function condition(status, type)
  if status == nil or status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local function health(s, message)
  return {status = s, message = message}
end

local status = obj.status
local generation = obj.metadata.generation
if status == nil or status.observedGeneration == nil or
    (generation ~= nil and status.observedGeneration < generation) then
  return health("Progressing", "Waiting for the operator to observe the latest spec")
end

local stalled = condition(status, "Stalled")
if isTrue(stalled) then
  return health("Degraded", stalled.message)
end

local ready = condition(status, "Ready")
if isTrue(ready) then
  local msg = ready.message or ""
  for _, type in ipairs({"TLSVerificationDisabled", "ConfigurationWarning"}) do
    local w = condition(status, type)
    if isTrue(w) and w.message ~= nil then
      msg = msg .. "; warning: " .. w.message
    end
  end
  return health("Healthy", msg)
end

local reconciling = condition(status, "Reconciling")
if isTrue(reconciling) and reconciling.message ~= nil then
  return health("Progressing", reconciling.message)
elseif ready ~= nil and ready.message ~= nil then
  return health("Progressing", ready.message)
end
return health("Progressing", "Waiting for the operator to check the credentials")
