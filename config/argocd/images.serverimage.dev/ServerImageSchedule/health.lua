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
local hs = {}

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

local status = obj.status
local generation = obj.metadata.generation
if status == nil or status.observedGeneration == nil or
    (generation ~= nil and status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the schedule"
  return hs
end

local stalled = condition(status, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = stalled.message
  return hs
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Suspended: no images are taken until spec.suspend is false"
  return hs
end

local ready = condition(status, "Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message
  return hs
end

hs.status = "Progressing"
if ready ~= nil and ready.message ~= nil then
  hs.message = ready.message
else
  hs.message = "Waiting for the operator to report Ready"
end
return hs
