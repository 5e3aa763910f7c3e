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
                                      [--init kaiming|gaussian|pissa] [--full] --epochs 5 --lr 0.01
                                      --batch 64 --seed 0 [--max-steps N] [--out DIR|FILE]
  eval      evaluate on the test split --base FILE [--adapter DIR] [--no-lora] [--merged]
                                      [--classes 7,8] [--logits FILE.csv]
  rank      numerical rank            --matrix FILE [--tensor NAME] | --example rank1|rank2|zeros
                                      [--tolerance X]
  svd       truncated-SVD error       --matrix FILE | --example NAME | --base FILE --layer fc1
                                      [--adapter DIR [--delta]]  --rank R | --all-ranks
  approx    gradient descent vs SVD   --rows 8 --cols 8 --rank 2 --steps 1000 --seed 0
            (seed 002)                [--lr 0.01] [--optimizer adam|sgd] [--report-every 100]
                                      [--matrix FILE]
  params    parameter/memory budget   --arch 784-64-2 | --preset NAME  [--rank R] [--alpha X]
                                      [--targets fc1,fc2] [--rslora]
            presets: seed000 richboynet gpt2-small llama2-7b square4096 split512x256
  analyze   LoRA-paper analyses       --base FILE --adapter DIR --layer fc1 [--compare DIR]
                                      [--rank R] [--seed 0]
  forgetting  full fine-tune vs LoRA  --base FILE --classes 7,8 [--old-classes 3,4] --rank 4
            on old and new task      --alpha 1 --epochs 5 --lr 0.01 --batch 64 --seed 0
                                      [--targets] [--rslora] [--init] [--max-steps N]
  variants  inits and scaling rules    --base FILE --classes 7,8 --rank 4 --alpha 8
            trained side by side      [--variants kaiming,gaussian,pissa,kaiming+rslora]
                                      [--targets] --epochs 1 --lr 0.01 --seed 0 [--max-steps N]
  scaling   rank sweep, α/r vs α/√r   --base FILE --classes 7,8 --alpha 8
                                      [--ranks 1,2,4,8,16,32,64] [--init kaiming] [--max-steps N]
  bench     training throughput on    --arch 784-64-2 --batch 64 --mode full|lora|eval|sgemm
            synthetic data            [--rank 4] [--alpha 1] [--seconds 2] [--threads 1]
                                      [--samples 2000 (eval)] [--size 1024 (sgemm)]
  adapters list     an adapter library        --base FILE --adapters DIR,DIR | --dir PARENT
  adapters import   read a PEFT adapter       --base FILE --adapter DIR [--classes 7,8]
                                              [--name NAME] [--out DIR]
  adapters merge    fold an adapter into W    --base FILE --adapter DIR [--classes 7,8]
                                              [--out merged.safetensors]
  adapters unmerge  W − s·BA back out         --merged FILE --adapter DIR --out FILE
                                              [--original FILE]
  adapters combine  PEFT's add_weighted_adapter  --base FILE --adapters DIR,DIR[,…] --out DIR
                    [--method cat|linear|svd] [--weights 1,1] [--rank R (svd)]
  --threads N (train, finetune, bench): cores for large products; 1 (default) is bit-exact.
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
        if (command == "rank") return lora::cli::runRank(args);
        if (command == "svd") return lora::cli::runSvd(args);
        if (command == "approx") return lora::cli::runApprox(args);
        if (command == "params") return lora::cli::runParams(args);
        if (command == "analyze") return lora::cli::runAnalyze(args);
        if (command == "forgetting") return lora::cli::runForgetting(args);
        if (command == "variants") return lora::cli::runVariants(args);
        if (command == "scaling") return lora::cli::runScaling(args);
        if (command == "bench") return lora::cli::runBench(args);
        if (command == "adapters") return lora::cli::runAdapters(args);
        throw lora::InputError("unknown command '" + command + "' (try lora-cli --help)");
    } catch (const lora::InputError& e) {
        std::cerr << "lora-cli: " << e.what() << std::endl;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "lora-cli: internal error: " << e.what() << std::endl;
        return 1;
    }
}
