// Small file helpers with errors that name the path, and atomic writes.
//
// Atomic means: the content goes to "<path>.tmp.<pid>" first, is flushed to disk, and is then renamed
// over <path>, so a reader (or a crash) never sees half a file. Directories are committed the same
// way with commit_directory().
#pragma once

#include <string>
#include <vector>

namespace earlybert {

/// Whole file as bytes; Error naming the path when it cannot be opened or read.
std::string read_file(const std::string& path);

/// Lines of a text file without their '\n' (a trailing '\r' is kept: callers decide).
std::vector<std::string> read_lines(const std::string& path);

/// Writes `bytes` to `path` atomically (temp file + fsync + rename). Creates parent directories.
void write_file_atomic(const std::string& path, const std::string& bytes);

/// True when `path` names an existing regular file or directory.
bool path_exists(const std::string& path);

/// Creates `path` and its parents; Error naming the path on failure.
void make_directories(const std::string& path);

/// Replaces directory `final_dir` by the fully written `tmp_dir` with one rename (an existing
/// `final_dir` is removed first). Used for checkpoints: a directory either is complete or absent.
void commit_directory(const std::string& tmp_dir, const std::string& final_dir);

/// Removes a file or directory tree if it exists.
void remove_all(const std::string& path);

/// Joins two path components with exactly one '/'.
std::string join_path(const std::string& a, const std::string& b);

}  // namespace earlybert
