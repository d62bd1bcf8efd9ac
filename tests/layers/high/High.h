#pragma once

#include "low/Sibling.h" // downward: allowed
