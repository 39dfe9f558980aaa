// Rank-0-only output — see include/earlybert/train/rank_zero_writer.h.
#include "earlybert/train/rank_zero_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "train/scalar_text.h"

namespace earlybert {
namespace {

int env_int(const char* name, int fallback, int minimum) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  auto parsed = train_detail::parse_int(v);
  if (!parsed || *parsed < minimum || *parsed > 1 << 20)
    fail(std::string("environment variable ") + name,
         "expected an integer >= " + std::to_string(minimum) + ", got '" + v + "'");
  return static_cast<int>(*parsed);
}

}  // namespace

DistributedInfo DistributedInfo::from_environment() {
  DistributedInfo d;
  d.rank = env_int("RANK", 0, 0);
  d.world_size = env_int("WORLD_SIZE", 1, 1);
  d.local_rank = env_int("LOCAL_RANK", d.rank, 0);
  if (d.rank >= d.world_size)
    fail("environment variable RANK",
         std::to_string(d.rank) + " is not below WORLD_SIZE " + std::to_string(d.world_size));
  return d;
}

RankZeroWriter::RankZeroWriter(std::string output_dir, int rank, int world_size)
    : output_dir_(std::move(output_dir)), rank_(rank), world_size_(world_size) {
  if (world_size < 1 || rank < 0 || rank >= world_size)
    fail("RankZeroWriter", "rank " + std::to_string(rank) + " of world size " + std::to_string(world_size));
}

std::string RankZeroWriter::path(const std::string& relative) const {
  if (relative.empty()) return output_dir_;
  if (relative.front() == '/') return relative;
  return join_path(output_dir_, relative);
}

void RankZeroWriter::make_directories(const std::string& relative) const {
  if (is_main()) earlybert::make_directories(path(relative));
}

void RankZeroWriter::write_file(const std::string& relative, const std::string& bytes) const {
  if (is_main()) write_file_atomic(path(relative), bytes);
}

void RankZeroWriter::append_line(const std::string& relative, const std::string& line) const {
  if (!is_main()) return;
  const std::string p = path(relative);
  const std::filesystem::path fp(p);
  if (fp.has_parent_path()) earlybert::make_directories(fp.parent_path().string());
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail(p, std::string("cannot open for appending: ") + std::strerror(errno));
  const std::string text = line + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      fail(p, "write failed: " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) fail(p, std::string("close failed: ") + std::strerror(errno));
}

}  // namespace earlybert
