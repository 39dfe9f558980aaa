// TensorBoard scalar event files, written without TensorFlow or protobuf.
//
// An event file (events.out.tfevents.<unix time>.<hostname>) is a TFRecord file (tfrecord.h) of
// serialized tensorflow.Event protocol buffers. Only scalars are needed, so the few fields used are
// encoded by hand:
//   Event    { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary  { repeated Value value = 1; }
//   Value    { string tag = 1; float simple_value = 2; }
// The first event of a file carries file_version "brain.Event:2" (TensorBoard checks it); every
// following event carries one step and its scalars. decode_event() parses the same subset back (other
// fields are skipped by wire type), which the tests and `earlybert` tools use to read a run.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "earlybert/train/rank_zero_writer.h"

namespace earlybert {

using Scalars = std::vector<std::pair<std::string, float>>;

/// A decoded event (only the fields above).
struct TensorBoardEvent {
  double wall_time = 0;
  int64_t step = 0;
  std::string file_version;  ///< set in the first event of a file only
  Scalars scalars;
};

/// Serialized Event with file_version "brain.Event:2".
std::string encode_file_version_event(double wall_time);
/// Serialized Event with one summary value per scalar.
std::string encode_scalars_event(double wall_time, int64_t step, const Scalars& scalars);
/// Parses a serialized Event; malformed protobuf is an Error naming `source`.
TensorBoardEvent decode_event(std::string_view bytes, const std::string& source);

/// Every event of an event file (both CRCs checked; a truncated last record is dropped, as
/// TensorBoard does when a run was killed mid-write).
std::vector<TensorBoardEvent> read_event_file(const std::string& path);

/// Appends scalar events to a new event file under `log_dir` (relative paths are under the writer's
/// output_dir). Off rank 0 it writes nothing. Records are buffered; flush() (and the destructor)
/// push them to the file, so a reader sees whole records after each flush.
class TensorBoardWriter {
 public:
  TensorBoardWriter(const RankZeroWriter& output, const std::string& log_dir);
  ~TensorBoardWriter();
  TensorBoardWriter(const TensorBoardWriter&) = delete;
  TensorBoardWriter& operator=(const TensorBoardWriter&) = delete;

  void add_scalar(const std::string& tag, float value, int64_t step);
  void add_scalars(int64_t step, const Scalars& scalars);
  void flush();
  /// The event file (empty off rank 0).
  const std::string& path() const { return path_; }

 private:
  void write_record(const std::string& event);
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace earlybert
