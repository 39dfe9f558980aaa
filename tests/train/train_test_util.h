// Helpers shared by the train-area tests: fixture paths, scratch directories, error expectations.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "expect_error.h"
#include "scratch_dir.h"
#include "test_paths.h"
