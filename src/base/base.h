// base/base.h: the public header of the base module (depends on nothing):
// Status/Result<T>, RFC 3339 time and Clock, hex/base64, UUID, RFC 8785 canonical JSON.
#pragma once

#include "base/check.h"
#include "base/encoding.h"
#include "base/json.h"
#include "base/result.h"
#include "base/status.h"
#include "base/time.h"
#include "base/uuid.h"
