// lora-cli's command table: everything main.cpp dispatches and `lora-cli help` prints.
#include "cli/commands.h"
#include "nn/lora_linear.h"

namespace lora::cli {

namespace {

const Flag& f(const char* name) {
    return sharedFlag(name);
}

const FlagGroup* const kData = &kDataGroup;
const FlagGroup* const kTraining = &kTrainingGroup;
const FlagGroup* const kLora = &kLoraGroup;
const FlagGroup* const kOutput = &kOutputGroup;

// How --max-steps reads where a run is measured in steps, as in the Init & scaling panel.
const char* kStepsNote =
    "--max-steps N is each run's length: epochs are added until N batches, not the data, end it";

const std::string kMaxRankText = std::to_string(kMaxRank);

// The file commands' input, which may also be given bare: lora-cli inspect PATH.
const Flag kLoraPath{"path", "PATH", "the file or folder (the flag may be left out)"};

// eval's own flags: --alpha and --rank show the adapter as the GUI's live sliders do.
std::vector<Flag> evalFlags() {
    return {f("base"),
            f("adapter"),
            f("classes"),
            {"alpha", "A", "with --adapter: score it at lora_alpha A instead of its own (> 0)"},
            {"rank", "R",
             "with --adapter: keep each layer's best rank-min(R, r) part of s·BA (truncated "
             "SVD), 1…the adapter's rank"},
            {"no-lora", "", "with --adapter: score the base alone (the adapter switched off)"},
            {"merged", "", "with --adapter: fold s·BA into W and report the logits' change"},
            {"logits", "FILE.csv", "write label,logit0,logit1,… per test sample"}};
}

// Commands that train on digits.
std::vector<Command> trainingCommands() {
    return {
        {"train",
         "train a base MLP",
         "--arch 784-64-2 --classes 3,4 --epochs 1 --lr 0.01 --batch 64 --seed 0 "
         "[--optimizer adam|sgd] [--out FILE]",
         {f("arch"),
          {"classes", "3,4", "digits to learn, in output order, or all (default all)"},
          f("settings")},
         {kData, kTraining, kOutput},
         runTrain,
         {}},
        {"finetune",
         "adapt a base with LoRA (or --full fine-tuning)",
         "--base FILE --classes 7,8 [--train-digits 9] --rank 4 --alpha 1 [--rslora] "
         "[--targets fc1,fc2] [--init kaiming|gaussian|pissa] [--full] --epochs 5 --lr 0.01 "
         "--batch 64 --seed 0 [--max-steps N] [--out DIR|FILE]",
         {f("base"),
          f("classes"),
          {"train-digits", "9", "train on these digits of --classes only (seed 001: the 9s)"},
          {"full", "", "fine-tune every weight instead of a LoRA adapter (--out is a model file)"},
          f("settings")},
         {kData, kTraining, kLora, kOutput},
         runFinetune,
         {}},
        {"eval",
         "evaluate on the test split",
         "--base FILE [--adapter DIR [--alpha A] [--rank R]] [--no-lora] [--merged] "
         "[--classes 7,8] [--logits FILE.csv]",
         evalFlags(),
         {kData},
         runEval,
         {}},
        {"forgetting",
         "full fine-tune vs LoRA on the old and the new task",
         "--base FILE --classes 7,8 [--old-classes 3,4] --rank 4 --alpha 1 --epochs 5 --lr 0.01 "
         "--batch 64 --seed 0 [--targets] [--rslora] [--init] [--max-steps N]",
         {f("base"),
          {"classes", "7,8", "digits of the new task"},
          {"old-classes", "3,4", "digits of the base's task (default: those it records)"}},
         {kData, kTraining, kLora},
         runForgetting,
         {}},
        {"variants",
         "initialisations and scaling rules trained side by side",
         "--base FILE --classes 7,8 --rank 4 --alpha 8 "
         "[--variants kaiming,gaussian,pissa,kaiming+rslora] [--targets] --epochs 1 --lr 0.01 "
         "--seed 0 [--max-steps N]",
         {f("base"),
          f("classes"),
          {"variants", "LIST",
           "kaiming, gaussian or pissa, each optionally +rslora (default "
           "kaiming,gaussian,kaiming+rslora)"},
          f("rank"),
          {"alpha", "X", "LoRA α (default 8)"},
          f("targets")},
         {kData, kTraining},
         runVariants,
         {kStepsNote}},
        {"scaling",
         "rank sweep under α/r and α/√r",
         "--base FILE --classes 7,8 --alpha 8 [--ranks 1,2,4,8,16,32,64] [--init kaiming] "
         "[--targets] [--max-steps N]",
         {f("base"),
          f("classes"),
          {"ranks", "1,2,4,…", "ranks to sweep, 1…" + kMaxRankText + " (default 1,2,4,8,16,32,64)"},
          {"alpha", "X", "LoRA α (default 8)"},
          f("init"),
          f("targets")},
         {kData, kTraining},
         runScaling,
         {kStepsNote}},
    };
}

// Commands on matrices, layers and budgets.
std::vector<Command> linalgCommands() {
    return {
        {"rank",
         "numerical rank of a matrix",
         "--matrix FILE [--tensor NAME] | --example rank1|rank2|zeros [--tolerance X]",
         {f("matrix"),
          f("tensor"),
          f("example"),
          {"tolerance", "X", "count singular values above X (default σ_max·max(m, n)·ε)"}},
         {},
         runRank,
         {}},
        {"svd",
         "truncated-SVD error of a matrix or a layer",
         "--matrix FILE | --example NAME | --base FILE --layer fc1 [--adapter DIR [--delta]] "
         "--rank R | --all-ranks",
         {f("matrix"),
          f("tensor"),
          f("example"),
          f("base"),
          f("layer"),
          {"adapter", "DIR", "with --base: the layer's W merged with this adapter's ΔW"},
          {"delta", "", "with --adapter: the adapter's ΔW = s·BA alone"},
          {"rank", "R", "truncate to rank R (0…min(m, n))"},
          {"all-ranks", "", "the error curve for every rank instead"}},
         {},
         runSvd,
         {}},
        {"approx",
         "gradient descent vs SVD (seed 002)",
         "--rows 8 --cols 8 --rank 2 --steps 1000 --seed 0 [--lr 0.01] [--optimizer adam|sgd] "
         "[--report-every 100] [--matrix FILE]",
         {{"rows", "N", "rows of the random Gaussian W (default 8)"},
          {"cols", "N", "columns of the random Gaussian W (default 8)"},
          f("matrix"),
          f("tensor"),
          {"rank", "R", "rank of the factors B A (default 2)"},
          {"steps", "N", "gradient steps (default 1000)"},
          {"report-every", "N", "a table row every N steps (default 100)"},
          f("lr"),
          f("optimizer"),
          f("seed")},
         {},
         runApprox,
         {}},
        {"params",
         "parameter and memory budget",
         "--arch 784-64-2 | --preset NAME [--rank R] [--alpha X] [--targets fc1,fc2] [--rslora]",
         {f("arch"),
          {"preset", "NAME",
           "seed000 richboynet gpt2-small llama2-7b square4096 split512x256 (published shapes)"},
          f("rank"),
          f("alpha"),
          f("rslora"),
          {"targets", "fc1,fc2", "layers to adapt, or all (default: the preset's own)"}},
         {},
         runParams,
         {}},
    };
}

// Timing on this machine.
std::vector<Command> benchCommands() {
    return {
        {"bench",
         "training throughput on synthetic data",
         "--arch 784-64-2 --batch 64 --mode full|lora|eval|sgemm|peak [--rank 4] [--alpha 1] "
         "[--seconds 2] [--threads 1] [--samples 2000 (eval)] [--size 1024 (sgemm)] "
         "[--gemm auto|eigen|blas]",
         {f("arch"),
          f("batch"),
          {"mode", "full|lora|eval|sgemm|peak",
           "what to time (default full; peak: one core's FMA rate)"},
          f("rank"),
          f("alpha"),
          {"seconds", "X", "how long to measure (default 2)"},
          f("threads"),
          {"samples", "N", "eval: samples per pass (default 2000)"},
          {"size", "N", "sgemm: the n of n×n products (default 1024)"},
          {"gemm", "auto|eigen|blas",
           "whose kernels run the products (default auto: OpenBLAS "
           "unless its kernels are narrower than Eigen's)"},
          f("seed")},
         {},
         runBench,
         {}},
    };
}

// Commands on real LoRA files of any format.
std::vector<Command> fileCommands() {
    return {
        {"inspect",
         "what a real LoRA file holds: format, modules, the spectrum of every ΔW",
         "PATH (a PEFT folder or adapter_model.safetensors, a kohya, diffusers or LyCORIS "
         ".safetensors)",
         {kLoraPath},
         {},
         runInspect,
         {"singular values come from the thin factors (never the formed ΔW); up to 64 are "
          "listed per module"}},
        {"resize",
         "a real LoRA file cut to a lower rank, its scale kept",
         "PATH --out PATH2 (--rank R | --sv-ratio X | --sv-fro F | --sv-cumulative F) "
         "[--max-rank R] [--dtype keep|f32|f16|bf16]",
         {kLoraPath,
          {"rank", "R", "keep R directions per module (fewer where a module has fewer)"},
          {"sv-ratio", "X", "keep the directions with σ > σ₀/X (kohya's sv_ratio)"},
          {"sv-fro", "F", "the fewest directions keeping a share F of ‖ΔW‖_F (kohya's sv_fro)"},
          {"sv-cumulative", "F", "the fewest directions keeping a share F of Σσ"},
          {"max-rank", "R", "caps the rank the sv-* rules keep"},
          {"dtype", "keep|f32|f16|bf16", "how the tensors are stored (default: as read)"}},
         {kOutput},
         runResize,
         {"each module keeps the best rank-r′ part of its ΔW (Eckart–Young), computed from the "
          "thin factors; alpha is set so that its scale is unchanged"}},
        {"convert",
         "a real LoRA file in another format, every ΔW kept",
         "PATH --to peft|kohya|diffusers --out PATH2 [--dtype keep|f32|f16|bf16]",
         {kLoraPath,
          {"to", "peft|kohya|diffusers",
           "the format written (the source's own: a normalised copy)"},
          {"dtype", "keep|f32|f16|bf16", "how the factors are stored (default: as read)"}},
         {kOutput},
         runConvert,
         {"factors are carried as they are and each module's scale is re-expressed as the target "
          "states it (PEFT: r / lora_alpha / rank_pattern / alpha_pattern, use_rslora false; "
          "kohya: an alpha tensor per module; diffusers: the lora_adapter_metadata header)",
          "kohya names become dotted paths only for Stable Diffusion / SDXL U-Net and CLIP "
          "module names; LoHa, LoKr, DoRA and whole weights are refused (no LoRA factors)"}},
        {"combine",
         "real LoRA files with the same modules combined into one",
         "A B … --out PATH [--method cat|svd|linear] [--weights 1,1] [--rank R (svd)] "
         "[--to peft|kohya|diffusers] [--dtype keep|f32|f16|bf16]",
         {{"inputs", "PATH,PATH",
           "the files or folders (may be given bare: lora-cli combine A B --out C)"},
          {"method", "cat|svd|linear", "how to combine (default cat)"},
          {"weights", "1,1", "one weight wᵢ per input (default 1 each)"},
          {"rank", "R",
           "svd: the new rank, 1…" + kMaxRankText + " (default: the largest input rank)"},
          {"to", "peft|kohya|diffusers", "the format written (default: the first input's)"},
          {"dtype", "keep|f32|f16|bf16",
           "how the factors are stored (default: the first input's)"}},
         {kOutput},
         runCombine,
         {"cat stacks the factors: ΔW = Σ wᵢ·ΔWᵢ exactly, at rank Σ rᵢ; svd keeps the best rank-R "
          "part of that sum, from the stacked thin factors",
          "linear is PEFT's: B = Σ √(wᵢsᵢ)·Bᵢ, A = Σ √(wᵢsᵢ)·Aᵢ (equal ranks). That is NOT "
          "Σ wᵢ·ΔWᵢ — the cross terms Bᵢ·Aⱼ remain (PEFT issues #643, #1155, #3004); each "
          "module's linear_gap reports ‖ΔW_linear − Σ wᵢΔWᵢ‖ / ‖Σ wᵢΔWᵢ‖"}},
        {"merge-into",
         "a real LoRA file merged into a model checkpoint (PEFT's merge_and_unload), streamed",
         "--base MODEL --adapter PATH --out MERGED [--scale W]",
         {{"base", "MODEL",
           "a .safetensors file, or a checkpoint folder (model.safetensors or its sharded "
           ".index.json; diffusers' diffusion_pytorch_model names too)"},
          {"adapter", "PATH", "a PEFT folder, a kohya, diffusers or LyCORIS .safetensors"},
          {"scale", "W", "multiplies every module's scale (default 1)"}},
         {kOutput},
         runMergeInto,
         {"W += ΔW in float32, stored in each weight's own dtype; every other tensor and the "
          "folder's other files (config.json, tokenizer …) are copied byte for byte",
          "a folder is written as a folder, a file as a file; nothing is written on a refusal"}},
    };
}

// Commands on adapter folders.
std::vector<Command> adapterCommands() {
    return {
        {"analyze",
         "the LoRA paper's analyses of one layer",
         "--base FILE --adapter DIR --layer fc1 [--compare DIR] [--rank R] [--seed 0]",
         {f("base"),
          f("adapter"),
          f("layer"),
          {"compare", "DIR", "a second adapter: the subspace similarity of the two"},
          {"rank", "R", "directions the amplification uses (default: the adapter's rank)"},
          {"seed", "N", "seed of the random baseline (default 0)"}},
         {},
         runAnalyze,
         {}},
        {"adapters list",
         "an adapter library as the Adapters dock shows it",
         "--base FILE --adapters DIR,DIR | --dir PARENT",
         {f("base"),
          {"adapters", "DIR,DIR", "adapter folders"},
          {"dir", "PARENT", "every sub-folder holding adapter_config.json"}},
         {},
         runAdaptersList,
         {}},
        {"adapters import",
         "read a PEFT adapter, checked against the base",
         "--base FILE --adapter DIR [--classes 7,8] [--name NAME] [--out DIR]",
         {f("base"),
          f("adapter"),
          {"classes", "7,8", "the adapter's digits (default: those it records)"},
          {"name", "NAME", "its name in the library (default: the folder's)"}},
         {kData, kOutput},
         runAdaptersImport,
         {}},
        {"adapters merge",
         "fold an adapter into W",
         "--base FILE --adapter DIR [--classes 7,8] [--out merged.safetensors]",
         {f("base"),
          f("adapter"),
          {"classes", "7,8", "the adapter's digits (default: those it records)"}},
         {kData, kOutput},
         runAdaptersMerge,
         {}},
        {"adapters unmerge",
         "W − s·BA back out of a merged model",
         "--merged FILE --adapter DIR --out FILE [--original FILE]",
         {{"merged", "FILE", "a model with the adapter folded in"},
          f("adapter"),
          {"original", "FILE", "the base before merging, to measure the round trip"}},
         {kOutput},
         runAdaptersUnmerge,
         {}},
        {"adapters combine",
         "PEFT's add_weighted_adapter over adapter folders",
         "--base FILE --adapters DIR,DIR[,…] --out DIR [--method cat|linear|svd] [--weights 1,1] "
         "[--rank R (svd)]",
         {f("base"),
          {"adapters", "DIR,DIR", "two or more adapter folders"},
          {"method", "cat|linear|svd", "how to combine (default cat)"},
          {"weights", "1,1", "one weight per adapter (default 1 each)"},
          {"rank", "R",
           "svd: the new rank, 0…" + kMaxRankText + " (default: the largest input rank)"}},
         {kOutput},
         runAdaptersCombine,
         {}},
    };
}

} // namespace

std::vector<Flag> Command::accepted() const {
    std::vector<Flag> all = flags;
    for (const FlagGroup* g : groups) all.insert(all.end(), g->flags.begin(), g->flags.end());
    return all;
}

bool Command::readsDigits() const {
    for (const FlagGroup* g : groups)
        if (g == &kDataGroup) return true;
    return false;
}

const std::vector<Command>& commands() {
    static const std::vector<Command> table = [] {
        std::vector<Command> all = trainingCommands();
        for (auto part : {linalgCommands(), benchCommands(), adapterCommands(), fileCommands()})
            all.insert(all.end(), part.begin(), part.end());
        return all;
    }();
    return table;
}

const Command* findCommand(const std::string& name) {
    for (const Command& c : commands())
        if (c.name == name) return &c;
    return nullptr;
}

std::vector<std::string> digitReaders() {
    std::vector<std::string> names;
    for (const Command& c : commands())
        if (c.readsDigits()) names.push_back(c.name);
    return names;
}

} // namespace lora::cli
