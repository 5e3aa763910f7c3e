// lora-cli: runs LoRA Explorer's experiments headlessly and prints JSON.
#include "cli/common.h"
#include "util/error.h"

#include <iostream>

namespace {

constexpr const char* kUsage = R"(usage: lora-cli <command> [options]

commands:
  train     train a base MLP          --arch 784-64-2 --classes 3,4 --epochs 1 --lr 0.01
                                      --batch 64 --seed 0 [--optimizer adam|sgd] [--out FILE]
  finetune  adapt a base with LoRA    --base FILE --classes 7,8 [--train-digits 9] --rank 4
            (or --full fine-tuning)   --alpha 1 [--rslora] [--targets fc1,fc2]
                                      [--init kaiming|gaussian] [--full] --epochs 5 --lr 0.01
                                      --batch 64 --seed 0 [--max-steps N] [--out DIR|FILE]
  eval      evaluate on the test split --base FILE [--adapter DIR] [--no-lora] [--merged]
                                      [--classes 7,8] [--logits FILE.csv]
  --data DIR (any command) reads torchvision MNIST IDX files instead of the embedded digits.

Progress goes to stderr; the last line of stdout is one JSON object. Exit code 2 = bad input.
)";

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << kUsage;
        return args.empty() ? 2 : 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    try {
        if (command == "train") return lora::cli::runTrain(args);
        if (command == "finetune") return lora::cli::runFinetune(args);
        if (command == "eval") return lora::cli::runEval(args);
        throw lora::InputError("unknown command '" + command + "' (try lora-cli --help)");
    } catch (const lora::InputError& e) {
        std::cerr << "lora-cli: " << e.what() << std::endl;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "lora-cli: internal error: " << e.what() << std::endl;
        return 1;
    }
}
