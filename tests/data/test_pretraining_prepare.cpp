// Tests for prepare_pretraining() and `earlybert prepare-pretraining`: text → shards → dataset.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "child_process.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/pretraining_dataset.h"
#include "earlybert/data/pretraining_prepare.h"
#include "earlybert/data/pretraining_sampler.h"
#include "earlybert/tokenize/wordpiece.h"
#include "test_pretraining_fake_tokenizer.h"
#include "test_pretraining_util.h"

namespace earlybert {
namespace {

using test::FakeTokenizer;

std::string env(const char* name) { return test::env_or_empty(name); }
std::string fixture(const std::string& name) { return test::pretraining_fixture(name); }

class PrepareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / ("eb_prepare_" + std::to_string(::getpid()) + "_" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    remove_all(dir_);
    make_directories(dir_);
  }
  void TearDown() override { remove_all(dir_); }

  PreparePretrainingOptions options(const std::string& out) const {
    PreparePretrainingOptions o;
    o.inputs = {fixture("lines.txt"), fixture("wikitext.txt")};
    o.output_dir = join_path(dir_, out);
    o.instances.max_seq_length = 16;
    o.shard_size = 5;
    o.seed = 3;
    return o;
  }

  std::string dir_;
  FakeTokenizer tok_ = FakeTokenizer::english();
};

TEST_F(PrepareTest, WritesShardsTheDatasetReads) {
  std::vector<PrepareProgress> seen;
  const auto o = options("out");
  const auto s = prepare_pretraining(o, tok_, [&](const PrepareProgress& p) { seen.push_back(p); });
  EXPECT_EQ(s.files, 2u);
  EXPECT_EQ(s.documents, 5u);   // 3 + 2 articles
  EXPECT_EQ(s.sentences, 15u);  // 6 + 9
  EXPECT_EQ(s.empty_sentences, 0u);
  ASSERT_GT(s.instances, 5u);
  EXPECT_EQ(s.shards, (s.instances + 4) / 5);
  EXPECT_EQ(s.nsp_is_next + s.nsp_random_next, s.instances);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().stage, PrepareProgress::Stage::Writing);
  EXPECT_EQ(seen.back().done, s.shards);

  const auto ds = PretrainingDataset::open(o.output_dir);
  EXPECT_EQ(ds.size(), s.instances);
  EXPECT_EQ(ds.num_shards(), s.shards);
  EXPECT_EQ(ds.header().num_tokens, s.instance_tokens);
  EXPECT_TRUE(ds.has_nsp());
  EXPECT_NO_THROW(ds.check_vocabulary(tok_));
  EXPECT_EQ(ds.default_masking().max_predictions_per_seq, o.masking.max_predictions_per_seq);
  size_t corpus_tokens = 0;
  for (size_t i = 0; i < ds.size(); ++i) {
    const auto inst = ds.get(i);
    ASSERT_LE(inst.input_ids.size(), 16u);
    EXPECT_EQ(inst.input_ids.front(), tok_.special_ids().cls);
    EXPECT_EQ(inst.input_ids.back(), tok_.special_ids().sep);
    corpus_tokens += inst.input_ids.size() - 3;
  }
  EXPECT_GT(corpus_tokens, 0u);
  // Every instance is readable with masks, in the order a sampler gives.
  DistributedSampler sampler(ds.size(), 1, 0, 1);
  for (size_t k = 0; k < ds.size(); ++k) {
    const SampledIndex at = sampler.next();
    const auto ex = ds.example(at.example, at.epoch, 1, ds.default_masking());
    EXPECT_EQ(ex.labels.size(), ex.input_ids.size());
  }
}

TEST_F(PrepareTest, SameInputsGiveIdenticalBytes) {
  prepare_pretraining(options("a"), tok_);
  prepare_pretraining(options("b"), tok_);
  auto other_seed = options("c");
  other_seed.seed = 4;
  prepare_pretraining(other_seed, tok_);
  const std::string shard = shard_file_name(0);
  EXPECT_EQ(read_file(join_path(dir_, "a/" + shard)), read_file(join_path(dir_, "b/" + shard)));
  EXPECT_EQ(read_file(join_path(dir_, std::string("a/") + kPretrainingIndexFile)),
            read_file(join_path(dir_, std::string("b/") + kPretrainingIndexFile)));
  EXPECT_NE(read_file(join_path(dir_, "a/" + shard)), read_file(join_path(dir_, "c/" + shard)));
}

TEST_F(PrepareTest, WithoutNspAndWithWholeWordMasking) {
  auto o = options("nonsp");
  o.instances.next_sentence_prediction = false;
  o.masking.whole_word_mask = true;
  const auto s = prepare_pretraining(o, tok_);
  EXPECT_EQ(s.nsp_is_next + s.nsp_random_next, 0u);
  // No token is lost without NSP: corpus tokens + [CLS] and [SEP] per instance.
  EXPECT_EQ(s.instance_tokens, s.corpus_tokens + 2 * s.instances);
  const auto ds = PretrainingDataset::open(o.output_dir);
  EXPECT_FALSE(ds.has_nsp());
  EXPECT_TRUE(ds.default_masking().whole_word_mask);
  for (size_t i = 0; i < ds.size(); ++i)
    EXPECT_EQ(ds.example(i, 0, 0, ds.default_masking()).next_sentence_label, kIgnoreLabel);
}

TEST_F(PrepareTest, WordNetInput) {
  auto o = options("wn");
  o.inputs.clear();
  o.wordnet = true;
  o.wordnet_dir = fixture("wordnet");
  o.wordnet_include_eval = true;
  const auto s = prepare_pretraining(o, tok_);
  EXPECT_EQ(s.documents, 7u);
  EXPECT_EQ(s.sentences, 18u);
}

TEST_F(PrepareTest, RefusesBadInputAndForeignOutput) {
  auto o = options("x");
  o.inputs = {join_path(dir_, "absent.txt")};
  EXPECT_THROW(prepare_pretraining(o, tok_), Error);
  write_file_atomic(join_path(dir_, "blank.txt"), "\n\n  \n");
  o.inputs = {join_path(dir_, "blank.txt")};
  EXPECT_THROW(prepare_pretraining(o, tok_), Error);
  o = options("x");
  o.inputs.clear();
  EXPECT_THROW(prepare_pretraining(o, tok_), Error);

  // A directory that is not ours is never replaced; an earlier output is.
  const std::string foreign = join_path(dir_, "foreign");
  write_file_atomic(join_path(foreign, "precious.txt"), "keep me");
  o = options("foreign");
  try {
    prepare_pretraining(o, tok_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a pre-training data directory"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(join_path(foreign, "precious.txt")), "keep me");
  o = options("again");
  prepare_pretraining(o, tok_);
  o.shard_size = 1000;
  prepare_pretraining(o, tok_);
  EXPECT_EQ(PretrainingDataset::open(o.output_dir).num_shards(), 1u);
  EXPECT_FALSE(path_exists(join_path(o.output_dir, shard_file_name(1))));
}

// ---- the command line -------------------------------------------------------------------------------

struct CliRun {
  int status = -1;
  std::string out, err;
};

CliRun run_cli(const std::string& args, const std::string& scratch) {
  const std::string cmd = "'" + env("EARLYBERT_CLI") + "' " + args + " >" + scratch + "/out 2>" + scratch + "/err";
  const int raw = test::run_shell(cmd);
  CliRun r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_file(scratch + "/out");
  r.err = read_file(scratch + "/err");
  return r;
}

TEST_F(PrepareTest, CommandLine) {
  if (env("EARLYBERT_CLI").empty()) GTEST_SKIP() << "EARLYBERT_CLI is not set (ctest sets it to the built earlybert)";
  const std::string vocab = env("EARLYBERT_SHARED_DATA") + "/vocab/bert-base-uncased-vocab.txt";
  const std::string cased = env("EARLYBERT_SHARED_DATA") + "/vocab/bert-base-cased-vocab.txt";
  if (!path_exists(vocab) || !path_exists(cased))
    GTEST_SKIP() << "BERT vocabularies not found under EARLYBERT_SHARED_DATA";
  const std::string out = join_path(dir_, "cli");
  const CliRun r = run_cli("prepare-pretraining --input " + fixture("wikitext.txt") + " " + fixture("lines.txt") +
                               " --vocab " + vocab + " --output " + out + " --max-seq-length 32 --seed 5",
                           dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("documents  5"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("prepare-pretraining: writing"), std::string::npos) << r.err;  // not a terminal: log lines
  const auto ds = PretrainingDataset::open(out);
  EXPECT_EQ(ds.header().max_seq_length, 32u);
  EXPECT_EQ(ds.default_masking().max_predictions_per_seq, 5u);
  EXPECT_NO_THROW(ds.check_vocabulary(WordPieceTokenizer::from_file(vocab)));
  EXPECT_THROW(ds.check_vocabulary(WordPieceTokenizer::from_file(cased, false)), Error);
  // "<unk>" in WikiText became BERT's [UNK] token.
  bool unk = false;
  for (size_t i = 0; i < ds.size(); ++i)
    for (int32_t id : ds.get(i).input_ids) unk |= id == 100;
  EXPECT_TRUE(unk);

  const CliRun bad = run_cli("prepare-pretraining --input " + fixture("lines.txt") + " --vocab " + vocab +
                                 " --output " + join_path(dir_, "bad") + " --max-seq-length 4",
                             dir_);
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("earlybert: error: --max-seq-length"), std::string::npos) << bad.err;
  const CliRun missing = run_cli("prepare-pretraining --input " + join_path(dir_, "nope.txt") + " --vocab " + vocab +
                                     " --output " + join_path(dir_, "bad"),
                                 dir_);
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("nope.txt"), std::string::npos) << missing.err;
}

TEST_F(PrepareTest, WordNetCommandLine) {
  if (env("EARLYBERT_CLI").empty()) GTEST_SKIP() << "EARLYBERT_CLI is not set (ctest sets it to the built earlybert)";
  const std::string corpus = join_path(dir_, "corpus.txt");
  const CliRun r =
      run_cli("wordnet --wordnet-dir " + fixture("wordnet") + " corpus --include-eval --output " + corpus, dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("7 documents, 18 sentences"), std::string::npos) << r.out;
  EXPECT_NE(read_file(corpus).find("afloat: borne on the water; floating\n"), std::string::npos);
  const CliRun missing = run_cli("wordnet --wordnet-dir " + join_path(dir_, "none") + " stats", dir_);
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("apt-get install wordnet-base"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace earlybert
