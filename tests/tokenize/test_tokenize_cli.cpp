// Tests for `earlybert tokenize` and `earlybert tokenizer train`, run through $EARLYBERT_CLI.
//
// The CLI links libearlybert, hence LibTorch and its libprotobuf.so.32. Training and using a
// SentencePiece model from it therefore proves that the plugin isolation works: linking
// libsentencepiece into such a process crashes it while the libraries initialise. The child runs
// without $EARLYBERT_SPM_PLUGIN, so the CLI also finds the plugin itself (next to libearlybert.so).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "child_process.h"
#include "sanitizer.h"
#include "tokenize/tokenize_test_util.h"

using namespace earlybert;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using json = nlohmann::json;

namespace {

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> v;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    if (end > start) v.push_back(json::parse(out.substr(start, end - start)));
    start = end + 1;
  }
  return v;
}

std::string q(const std::string& s) { return test::shell_quote(s); }

std::string tiny_vocab() { return q(test::fixture("tiny_vocab.txt")); }

}  // namespace

TEST(TokenizeCli, TextAndPairPrintJson) {
  EARLYBERT_REQUIRE_CLI();
  auto r = test::run_cli("tokenize --vocab " + tiny_vocab() + " --text " + q("UNwant\u00E9d,running"));
  ASSERT_EQ(r.status, 0) << r.err;
  auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["tokens"], json({"[CLS]", "un", "##want", "##ed", ",", "runn", "##ing", "[SEP]"}));
  EXPECT_EQ(lines[0]["input_ids"], json({1, 9, 6, 7, 12, 10, 11, 2}));
  EXPECT_EQ(lines[0]["token_type_ids"], json({0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_FALSE(lines[0].contains("offsets"));

  r = test::run_cli("tokenize --vocab " + tiny_vocab() + " --text " + q("how are you") + " --text-pair " + q("hello!") +
                    " --offsets");
  ASSERT_EQ(r.status, 0) << r.err;
  lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["tokens"], json({"[CLS]", "how", "are", "you", "[SEP]", "hello", "!", "[SEP]"}));
  EXPECT_EQ(lines[0]["token_type_ids"], json({0, 0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(lines[0]["offsets"][6], json({5, 6}));
}

TEST(TokenizeCli, StdinLinesTabPairsAndTruncation) {
  EARLYBERT_REQUIRE_CLI();
  const std::string input = "how are you\nhello how are you\thello how are you ?\r\n\n";
  const auto r = test::run_cli("tokenize --vocab " + tiny_vocab() + " --max-length 8", input);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["tokens"], json({"[CLS]", "how", "are", "you", "[SEP]"}));
  // 4 + 5 + 3 = 12 > 8: longest_first removes 4 → A=3, B=2 (ties from the second).
  EXPECT_EQ(lines[1]["tokens"], json({"[CLS]", "hello", "how", "are", "[SEP]", "hello", "how", "[SEP]"}));
  EXPECT_EQ(lines[1]["token_type_ids"], json({0, 0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(lines[2]["tokens"], json({"[CLS]", "[SEP]"}));  // an empty line is an empty input

  const auto r2 = test::run_cli("tokenize --vocab " + tiny_vocab() + " --max-length 8 --truncation only_second",
                                "hello how are you\thello how are you ?\n");
  ASSERT_EQ(r2.status, 0) << r2.err;
  EXPECT_EQ(json_lines(r2.out)[0]["tokens"], json({"[CLS]", "hello", "how", "are", "you", "[SEP]", "hello", "[SEP]"}));
}

TEST(TokenizeCli, LowerCaseFlags) {
  EARLYBERT_REQUIRE_CLI();
  auto r = test::run_cli("tokenize --vocab " + tiny_vocab() + " --no-lower-case --text Hello");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json_lines(r.out)[0]["tokens"], json({"[CLS]", "[UNK]", "[SEP]"}));
  r = test::run_cli("tokenize --vocab " + tiny_vocab() + " --do-lower-case --text Hello");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json_lines(r.out)[0]["tokens"], json({"[CLS]", "hello", "[SEP]"}));
  r = test::run_cli("tokenize --vocab " + tiny_vocab() + " --do-lower-case --no-lower-case --text Hello");
  EXPECT_NE(r.status, 0);
}

TEST(TokenizeCli, BadInputIsAOneLineErrorNamingIt) {
  EARLYBERT_REQUIRE_CLI();
  auto r = test::run_cli("tokenize --vocab " + tiny_vocab(), "hello\nbad \xC3\x28 line\n");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("stdin:2: invalid UTF-8 at byte 4"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(json_lines(r.out).size(), 1u) << "the valid first line was printed";

  r = test::run_cli("tokenize --vocab " + tiny_vocab() + " --text " + q("x\xFF"));
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--text: invalid UTF-8"));

  const test::ScratchDir scratch("cli_bad_vocab");
  const std::string& dir = scratch.path();
  test::write_text(dir + "/v.txt", "[CLS]\n[SEP]\nhello\n");
  r = test::run_cli("tokenize --vocab " + q(dir + "/v.txt") + " --text hi");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr(dir + "/v.txt: vocabulary has no [UNK] token"));

  r = test::run_cli("tokenize --vocab " + tiny_vocab() + " --max-length 10 --truncation only_second",
                    "how are you how are you how are you\thello\n");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("stdin:1: truncation only_second"));

  r = test::run_cli("tokenize --text hi");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("exactly one of --vocab and --spm"));
}

TEST(TokenizeCli, BenchmarkReportsThroughput) {
  EARLYBERT_REQUIRE_CLI();
  const test::ScratchDir scratch("cli_bench");
  const std::string& dir = scratch.path();
  test::write_text(dir + "/t.tsv", "sentence\tlabel\nhow are you\t1\nhello , unwanted running\t0\n");
  const auto r = test::run_cli("tokenize --vocab " + tiny_vocab() + " --benchmark " + q(dir + "/t.tsv") +
                               " --benchmark-skip-header --benchmark-repeat 1");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = json_lines(r.out).at(0);
  EXPECT_EQ(j["inputs"], 2);
  EXPECT_EQ(j["bytes"], 11 + 24);
  EXPECT_EQ(j["tokens"], 3 + 7);
  EXPECT_GT(j["tokenize_mb_per_s"].get<double>(), 0.0);
}

TEST(TokenizeCli, RealUncasedVocab) {
  EARLYBERT_REQUIRE_CLI();
  const std::string vocab = test::shared_data("vocab/bert-base-uncased-vocab.txt");
  if (vocab.empty()) GTEST_SKIP() << "EARLYBERT_SHARED_DATA/vocab/bert-base-uncased-vocab.txt not available";
  const auto r = test::run_cli("tokenize --vocab " + q(vocab), "Hello, my dog is cute\n");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json_lines(r.out)[0]["input_ids"], json({101, 7592, 1010, 2026, 3899, 2003, 10140, 102}));
}

TEST(TokenizeCli, SentencePieceTrainAndTokenizeInsideALibTorchProcess) {
  EARLYBERT_REQUIRE_CLI();
#ifdef EARLYBERT_TEST_ASAN
  // A sanitized command loads the SentencePiece plugin without RTLD_DEEPBIND (ASan refuses it), so the
  // plugin's protobuf binds to LibTorch's and training fails on the version check (RELIABILITY.md).
  GTEST_SKIP() << "built with AddressSanitizer: the plugin cannot be isolated from LibTorch's protobuf";
#endif
  const test::ScratchDir scratch("cli_spm");
  const std::string& dir = scratch.path();
  for (const char* type : {"unigram", "bpe"}) {
    const std::string prefix = dir + "/" + type;
    auto r = test::run_cli("tokenizer train --input " + q(test::fixture("spm_corpus.txt")) +
                           " --vocab-size 150 --model-type " + type + " --output " + q(prefix) +
                           " --character-coverage 1.0 --threads 1");
    ASSERT_EQ(r.status, 0) << type << ": " << r.err;
    const auto summary = json_lines(r.out).at(0);
    EXPECT_EQ(summary["vocab_size"], 150);
    EXPECT_EQ(summary["model"], prefix + ".model");
    EXPECT_TRUE(std::filesystem::exists(prefix + ".model"));
    EXPECT_TRUE(std::filesystem::exists(prefix + ".vocab"));

    r = test::run_cli("tokenize --spm " + q(prefix + ".model") + " --offsets", "The quick brown fox.\tThe lazy dog.\n");
    ASSERT_EQ(r.status, 0) << type << ": " << r.err;
    const auto e = json_lines(r.out).at(0);
    EXPECT_EQ(e["tokens"].front(), "[CLS]");
    EXPECT_EQ(e["tokens"].back(), "[SEP]");
    EXPECT_EQ(e["input_ids"].front(), 2);
    EXPECT_EQ(e["input_ids"].back(), 3);
    EXPECT_EQ(e["token_type_ids"].back(), 1);
  }
  auto r = test::run_cli("tokenizer train --input " + q(test::fixture("spm_corpus.txt")) +
                         " --vocab-size 150 --model-type word --output " + q(dir + "/w"));
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--model-type"));
  r = test::run_cli("tokenize --spm " + q(dir + "/unigram.model") + " --no-lower-case --text hi");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--vocab only"));
}

TEST(TokenizeCli, PluginOverrideThatDoesNotExistIsNamed) {
  EARLYBERT_REQUIRE_CLI();
  const test::ScratchDir scratch("cli_plugin_env");
  const std::string& dir = scratch.path();
  const std::string cmd = "env EARLYBERT_SPM_PLUGIN=" + dir + "/nope.so " + q(test::env_or_empty("EARLYBERT_CLI")) +
                          " tokenizer train --input " + q(test::fixture("spm_corpus.txt")) +
                          " --vocab-size 150 --output " + q(dir + "/m") + " 2>" + dir + "/err >/dev/null";
  const int raw = test::run_shell(cmd);
  EXPECT_EQ(WEXITSTATUS(raw), 2);
  EXPECT_THAT(test::read_text(dir + "/err"), HasSubstr("$EARLYBERT_SPM_PLUGIN: no such file: " + dir + "/nope.so"));
}
