// Tests for WordNet: line parsing, categories, the task's split and de-duplication, the corpus, the task
// registry entry, and (when wordnet-base is installed) the sizes over the real package.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/pretraining_corpus.h"
#include "earlybert/data/wordnet.h"
#include "test_pretraining_util.h"

namespace earlybert {
namespace {

std::string fixture_dir() { return test::pretraining_fixture("wordnet"); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(WordNet, CategoriesFollowLexnames) {
  const auto& names = wordnet_category_names();
  ASSERT_EQ(names.size(), 45u);
  EXPECT_EQ(names[0], "adj.all");
  EXPECT_EQ(names[1], "adj.pert");
  EXPECT_EQ(names[2], "adv.all");
  EXPECT_EQ(names[3], "noun.Tops");
  EXPECT_EQ(names[5], "noun.animal");
  EXPECT_EQ(names[18], "noun.person");
  EXPECT_EQ(names[28], "noun.time");
  EXPECT_EQ(names[29], "verb.body");
  EXPECT_EQ(names[38], "verb.motion");
  EXPECT_EQ(names[43], "verb.weather");
  EXPECT_EQ(names[44], "adj.ppl");
  EXPECT_EQ(std::set<std::string_view>(names.begin(), names.end()).size(), 45u);
  EXPECT_EQ(wordnet_category_name(20), "noun.plant");
  EXPECT_THROW(wordnet_category_name(45), Error);
  EXPECT_THROW(wordnet_category_name(-1), Error);
}

TEST(WordNet, ParsesSynsetLines) {
  EXPECT_FALSE(parse_wordnet_line("  1 This software and database is being provided to you  ", "f:1"));
  EXPECT_FALSE(parse_wordnet_line("", "f:2"));

  const auto dog = parse_wordnet_line(
      "02084071 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 002 @ 02083346 n 0000 %p 02158846 n 0000 | a member "
      "of the genus Canis; occurs in many breeds; \"the dog barked all night\"  ",
      "f:3");
  ASSERT_TRUE(dog);
  EXPECT_EQ(dog->offset, 2084071u);
  EXPECT_EQ(dog->pos, 'n');
  EXPECT_EQ(dog->lex_filenum, 5);
  EXPECT_EQ(dog->words, (std::vector<std::string>{"dog", "domestic dog", "Canis familiaris"}));
  EXPECT_EQ(dog->definition, "a member of the genus Canis; occurs in many breeds");
  EXPECT_EQ(dog->examples, std::vector<std::string>{"the dog barked all night"});

  // A verb line ends its pointers with a frame list (f_cnt, then "+ f_num w_num" triples).
  const auto verb = parse_wordnet_line(
      "00022316 29 v 02 sedate 0 calm 0 001 @ 00019448 v 0000 02 + 09 00 + 10 01 | cause to be calm; \"sedate him\"  ",
      "f:4");
  ASSERT_TRUE(verb);
  EXPECT_EQ(verb->pos, 'v');
  EXPECT_EQ(verb->words.size(), 2u);
  EXPECT_EQ(verb->definition, "cause to be calm");

  // Adjective marker, attribution after the example, satellite type.
  const auto adj = parse_wordnet_line(
      "00050446 00 s 01 reductive(a) 0 000 | causing curtailment; \"views were reductive\" - R.H.Rovere  ", "f:5");
  ASSERT_TRUE(adj);
  EXPECT_EQ(adj->words, std::vector<std::string>{"reductive"});
  EXPECT_EQ(adj->examples, std::vector<std::string>{"views were reductive"});

  const auto hex =
      parse_wordnet_line("00000001 03 n 0b a 0 b 0 c 0 d 0 e 0 f 0 g 0 h 0 i 0 j 0 k 0 000 | eleven words  ", "f:6");
  ASSERT_TRUE(hex);
  EXPECT_EQ(hex->words.size(), 11u);
}

TEST(WordNet, GlossSplitting) {
  std::string def;
  std::vector<std::string> ex;
  split_wordnet_gloss("having more than necessary:\"long on brains\"; \"in long supply\"", def, ex);
  EXPECT_EQ(def, "having more than necessary");
  EXPECT_EQ(ex, (std::vector<std::string>{"long on brains", "in long supply"}));
  split_wordnet_gloss("a plain definition; with two parts  ", def, ex);
  EXPECT_EQ(def, "a plain definition; with two parts");
  EXPECT_TRUE(ex.empty());
  split_wordnet_gloss("unclosed; \"an example without its end", def, ex);
  EXPECT_EQ(def, "unclosed");
  EXPECT_EQ(ex, std::vector<std::string>{"an example without its end"});
}

TEST(WordNet, MalformedLinesNameFileAndLine) {
  EXPECT_EQ(error_of([] { parse_wordnet_line("00001740 03 n 01 entity 0 000 no gloss here", "data.noun:7"); }),
            "data.noun:7: malformed synset line: no ' | ' before the gloss");
  EXPECT_EQ(error_of([] { parse_wordnet_line("00001740 45 n 01 entity 0 000 | x", "data.noun:8"); }),
            "data.noun:8: lex_filenum 45 outside 0..44");
  EXPECT_EQ(error_of([] { parse_wordnet_line("00001740 38 n 01 entity 0 000 | x", "data.noun:9"); }),
            "data.noun:9: category verb.motion does not fit synset type 'n'");
  EXPECT_NE(error_of([] {
              parse_wordnet_line("00001740 03 n 01 entity 0 002 @ 1 n 0000 | x", "d:1");
            }).find("d:1: malformed"),
            std::string::npos);
  EXPECT_NE(
      error_of([] { parse_wordnet_line("00001740 03 q 01 entity 0 000 | x", "d:2"); }).find("unknown synset type"),
      std::string::npos);
  EXPECT_NE(error_of([] { parse_wordnet_line("00001740 03 n 01 entity 0 000 |   ", "d:3"); }).find("d:3"),
            std::string::npos);
}

TEST(WordNet, MissingPackageSaysHowToInstall) {
  const std::string e = error_of([] { read_wordnet("/nonexistent/wordnet"); });
  EXPECT_NE(e.find("/nonexistent/wordnet/data.noun"), std::string::npos) << e;
  EXPECT_NE(e.find("apt-get install wordnet-base"), std::string::npos) << e;
}

TEST(WordNet, FixtureDirectory) {
  const auto synsets = read_wordnet(fixture_dir());
  ASSERT_EQ(synsets.size(), 11u);
  EXPECT_EQ(synsets.front().words, std::vector<std::string>{"entity"});
  EXPECT_EQ(synsets[6].pos, 'v');  // files in the order noun, verb, adj, adv
  EXPECT_EQ(synsets[9].lex_filenum, 44);
  EXPECT_EQ(synsets[10].pos, 'r');

  const WordNetTask task = build_wordnet_task(synsets);
  EXPECT_EQ(task.synsets, 11u);
  EXPECT_EQ(task.merged_duplicates, 1u);    // "a genus of Mustelidae" twice, same category
  EXPECT_EQ(task.dropped_conflicting, 2u);  // "a shared gloss" as noun.animal and noun.plant
  size_t total = 0;
  std::set<std::string> texts;
  for (Split s : {Split::Train, Split::Dev, Split::Test}) {
    for (const TextExample& ex : task[s]) {
      ++total;
      EXPECT_TRUE(texts.insert(ex.text_a).second) << "duplicate text " << ex.text_a;
      EXPECT_EQ(wordnet_split(ex.text_a), s);
      ASSERT_TRUE(ex.label);
      EXPECT_EQ(*ex.label, wordnet_category_name(ex.label_id));
      EXPECT_EQ(ex.guid.rfind(std::string(split_name(s)) + "-", 0), 0u) << ex.guid;
    }
  }
  EXPECT_EQ(total, 8u);
  EXPECT_EQ(texts.count("a shared gloss"), 0u);
}

TEST(WordNet, SplitIsAStableHashOfTheText) {
  // Same text, same split, whatever else is around; about 80/10/10 over many texts.
  size_t counts[3] = {0, 0, 0};
  for (int i = 0; i < 20000; ++i) {
    const std::string t = "definition number " + std::to_string(i);
    const Split s = wordnet_split(t);
    ASSERT_EQ(wordnet_split(std::string(t)), s);
    counts[static_cast<int>(s)] += 1;
  }
  EXPECT_NEAR(counts[0] / 20000.0, 0.8, 0.015);
  EXPECT_NEAR(counts[1] / 20000.0, 0.1, 0.01);
  EXPECT_NEAR(counts[2] / 20000.0, 0.1, 0.01);
  // Published FNV-1a 64 test vectors: "a" → 0xaf63dc4c8601ec8c (mod 10 = 6: train),
  // "foobar" → 0x85944171f73967e8 (mod 10 = 8: dev).
  EXPECT_EQ(0xaf63dc4c8601ec8cULL % 10, 6u);
  EXPECT_EQ(wordnet_split("a"), Split::Train);
  EXPECT_EQ(0x85944171f73967e8ULL % 10, 8u);
  EXPECT_EQ(wordnet_split("foobar"), Split::Dev);
}

TEST(WordNet, CorpusDocumentsPerLexicographerFile) {
  const auto synsets = read_wordnet(fixture_dir());
  const auto all = wordnet_corpus_documents(synsets, /*include_eval_splits=*/true);
  // Categories present: 03, 05, 20, 29, 00, 44, 02 → 7 documents, in lex_filenum order.
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all[0][0], "afloat: borne on the water; floating");  // adj.all first
  size_t sentences = 0;
  for (const auto& d : all) sentences += d.size();
  EXPECT_EQ(sentences, 11u + 7u);  // one per synset plus the 7 examples
  const auto animal = std::find_if(all.begin(), all.end(), [](const auto& d) { return d[0].rfind("dog", 0) == 0; });
  ASSERT_NE(animal, all.end());
  EXPECT_EQ(
      (*animal)[0],
      "dog, domestic dog, Canis familiaris: a member of the genus Canis (probably descended from the common wolf) "
      "that has been domesticated by man since prehistoric times; occurs in many breeds");
  EXPECT_EQ((*animal)[1], "the dog barked all night");

  // Leaving out dev/test glosses drops exactly the synsets whose definition hashes there.
  const auto train_only = wordnet_corpus_documents(synsets);
  size_t kept = 0, expected = 0;
  for (const auto& d : train_only) kept += d.size();
  for (const auto& s : synsets)
    if (wordnet_split(s.definition) == Split::Train) expected += 1 + s.examples.size();
  EXPECT_EQ(kept, expected);
  EXPECT_LT(kept, sentences);

  // The text form reads back through the Lines layout unchanged.
  const std::string text = wordnet_corpus_text(all);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("eb_wn_" + std::to_string(::getpid()) + ".txt")).string();
  write_file_atomic(path, text);
  std::vector<std::vector<std::string>> back;
  read_text_documents(path, TextFormat::Auto, [&](std::vector<std::string>&& d) { back.push_back(d); });
  remove_all(path);
  EXPECT_EQ(back, all);
}

TEST(WordNet, RegisteredAsATask) {
  const TaskSpec& spec = find_task("wordnet");
  EXPECT_EQ(spec.name, "wordnet");
  EXPECT_EQ(spec.num_labels(), 45u);
  EXPECT_FALSE(spec.is_pair);
  EXPECT_EQ(spec.label_names[5], "noun.animal");
  const TaskExamples dev = load_task_examples(spec, fixture_dir(), Split::Dev);
  const TaskExamples direct = wordnet_task_examples(Split::Dev, fixture_dir());
  ASSERT_EQ(dev.examples.size(), direct.examples.size());
  for (size_t i = 0; i < dev.examples.size(); ++i) {
    EXPECT_EQ(dev.examples[i].text_a, direct.examples[i].text_a);
    EXPECT_EQ(dev.examples[i].index, static_cast<int64_t>(i));
  }
}

// Over the installed wordnet-base package (Debian 1:3.0-37); skipped when it is absent.
TEST(WordNet, InstalledPackageSizes) {
  const std::string dir = "/usr/share/wordnet";
  if (!path_exists(dir + "/data.noun")) GTEST_SKIP() << "wordnet-base is not installed (" << dir << ")";
  const auto synsets = read_wordnet(dir);
  EXPECT_EQ(synsets.size(), 117659u);
  const WordNetTask task = build_wordnet_task(synsets);
  EXPECT_EQ(task.dropped_conflicting, 185u);
  EXPECT_EQ(task[Split::Train].size() + task[Split::Dev].size() + task[Split::Test].size(), 116617u);
  EXPECT_EQ(task[Split::Train].size(), 93443u);
  EXPECT_EQ(task[Split::Dev].size(), 11467u);
  EXPECT_EQ(task[Split::Test].size(), 11707u);
  std::set<int32_t> labels;
  for (const auto& ex : task[Split::Train]) labels.insert(ex.label_id);
  EXPECT_EQ(labels.size(), 45u) << "every category occurs in train";
  const auto docs = wordnet_corpus_documents(synsets);
  EXPECT_EQ(docs.size(), 45u);
}

}  // namespace
}  // namespace earlybert
