#pragma once

// A header of the lower layer of the fixture that includes one of the layer above it:
// what tests/layers/CMakeLists.txt expects the layer check to refuse.
#include "high/High.h"
#include "low/Sibling.h"
