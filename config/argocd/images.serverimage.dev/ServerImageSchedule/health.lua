-- Argo CD health of a ServerImageSchedule, read from the conditions the
-- operator writes (kstatus style):
--   Degraded     Stalled=True: the schedule or time zone is invalid
--   Suspended    spec.suspend is true
--   Healthy      Ready=True: the schedule is valid and runs start on time
--   Progressing  the operator has not looked at this generation yet
-- Stalled is checked before suspend so that a broken schedule is shown as
-- broken even while it is suspended. The health of the images themselves
-- is on their ServerImages: a failed nightly run does not make the
-- schedule unhealthy.
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
  return health("Progressing", "Waiting for the operator to observe the schedule")
end

local stalled = condition(status, "Stalled")
if isTrue(stalled) then
  return health("Degraded", stalled.message)
end

if obj.spec ~= nil and obj.spec.suspend == true then
  return health("Suspended", "Suspended: no images are taken until spec.suspend is false")
end

local ready = condition(status, "Ready")
if isTrue(ready) then
  return health("Healthy", ready.message)
end
if ready ~= nil and ready.message ~= nil then
  return health("Progressing", ready.message)
end
return health("Progressing", "Waiting for the operator to report Ready")
