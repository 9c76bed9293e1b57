// `polku eval oulad`: the offline evaluation of the recommender on OULAD,
// in-process and without a server (see oulad/eval.h for the method).
//
//   polku eval oulad [--presentations=GGG_2014J,AAA_2014J]
//                    [--max-learner-days=N] [--json=FILE] [--data=DIR]
//                    [--rules=FILE] [--k=10]
//
// Each presentation is replayed into its own throwaway SQLite store in a
// temporary directory (synchronous=NORMAL: nothing here needs to survive a
// power cut), removed afterwards. Prints a table with hit@10, NDCG@10,
// coverage and the mode mix for Polku and both baselines, and the wall time.
#ifndef POLKU_CLI_EVAL_COMMAND_H_
#define POLKU_CLI_EVAL_COMMAND_H_

#include <map>
#include <string>
#include <vector>

namespace polku::cli {

// The presentations evaluated by default: the two smallest (GGG 2014J, AAA
// 2014J), about 56,000 learner-days; a few minutes in a Release build on
// two cores.
inline constexpr char kDefaultEvalPresentations[] = "GGG_2014J,AAA_2014J";

// Flags of a subcommand: "--name=value", "--name value" or a bare switch
// "--name" (value "true") when the next argument is a flag too or absent.
// Dashes in names become underscores ("--max-learner-days" is
// "max_learner_days"). Other arguments are positional.
struct CommandFlags {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;

  std::string Get(const std::string& name, const std::string& def) const;
  bool Has(const std::string& name) const { return flags.count(name) > 0; }
};
CommandFlags ParseCommandFlags(int argc, char** argv);

// The OULAD directory: --data, else $POLKU_SHARED_DIR/datasets/oulad, else
// ../shared/datasets/oulad (beside the project root, as `make run` uses).
std::string OuladDataDir(const CommandFlags& flags);

// Runs `polku eval ...`; `argv` holds the arguments after "eval". Returns
// the process exit code: 0, 1 on a failure while running, 2 on bad usage.
int EvalCommand(int argc, char** argv);

}  // namespace polku::cli

#endif  // POLKU_CLI_EVAL_COMMAND_H_
