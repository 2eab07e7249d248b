package dev.sluice.cli;

import dev.sluice.model.ModelConfig;
import dev.sluice.model.hub.DownloadProgress;
import dev.sluice.model.hub.HubClient;
import dev.sluice.model.hub.HubModelId;
import dev.sluice.model.hub.HubSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sluice pull ORG/NAME[@REVISION]}: fetch a model from the Hugging Face hub into the hub cache. */
@Command(name = "pull", mixinStandardHelpOptions = true,
    description = {"Download a model (config, tokenizer, chat template, safetensors — sharded through their index) "
        + "from the Hugging Face hub into the standard hub cache, resuming partial files and checking checksums.",
        "Environment: HF_TOKEN (gated repositories), HF_ENDPOINT (default https://huggingface.co), HF_HOME or "
            + "HF_HUB_CACHE (default ~/.cache/huggingface/hub), HF_HUB_OFFLINE=1 (cache only). Prints the snapshot folder."})
public final class PullCommand extends PrintingCommand {

  @Parameters(paramLabel = "ORG/NAME[@REVISION]", description = "Hub model id; the revision is a branch, tag or commit (default main).")
  String model;

  @Override
  int run(PrintWriter out) {
    HubSettings settings = HubSettings.fromEnvironment();
    HubModelId id = HubModelId.parse(model);
    Path dir = new HubClient(settings, LinePrinter.to(out))
        .snapshot(id, DownloadProgress.bar(spec.commandLine().getErr()));
    ModelConfig cfg = ModelConfig.read(dir);
    out.printf("%s: %s, %d layers, hidden %d, vocab %d%n", id, cfg.modelType(), cfg.numLayers(), cfg.hiddenSize(),
        cfg.vocabSize());
    out.println(dir);
    return 0;
  }
}
