-- Argo CD health of a ServerImage, read from the kstatus conditions the
-- operator writes:
--   Progressing  the operator has not yet looked at this generation (a
--                spec change, or a new object), or it is working on the
--                image (Reconciling=True: saving, waiting for the Cloud,
--                retrying, deleting)
--   Degraded     Stalled=True: a person has to act; the message is the
--                condition's, which names the cause and what to do
--   Healthy      Ready=True: the image is active
-- While the image is being built the message leads with the cloud's image
-- status and progress, so the Argo CD UI shows how far along it is.
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
  return health("Healthy", ready.message)
end

local reconciling = condition(status, "Reconciling")
local detail = nil
if isTrue(reconciling) then
  detail = reconciling.message
elseif ready ~= nil then
  detail = ready.message
end
if detail == "" then
  detail = nil
end
if isTrue(reconciling) and reconciling.reason == "ImageSaving" and status.imageStatus ~= nil then
  local head = "Image " .. status.imageStatus
  if status.progress ~= nil then
    head = head .. " " .. tostring(math.floor(status.progress)) .. "%"
  end
  if detail ~= nil then
    return health("Progressing", head .. ": " .. detail)
  end
  return health("Progressing", head)
end
return health("Progressing", detail or "Waiting for the operator to report Ready")
