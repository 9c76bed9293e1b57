// `polku ui` as a program of its own, for the browser tests: the same
// UiCommand the polku tool runs for "polku ui ...".
#include "cli/ui_command.h"

int main(int argc, char** argv) {
  return polku::cli::UiCommand(argc - 1, argv + 1);
}
