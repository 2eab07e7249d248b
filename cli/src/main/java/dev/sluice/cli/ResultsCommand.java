package dev.sluice.cli;

import dev.sluice.results.tail.CompletionLines;
import dev.sluice.results.tail.ResultsReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Tail or export completions from the results topic. */
@Command(name = "results", mixinStandardHelpOptions = true,
    description = "Tail or export completions from the results topic.",
    subcommands = {ResultsCommand.Tail.class, ResultsCommand.Export.class})
public final class ResultsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code sluice results tail}: one line per finished request, starting with its request id. */
  @Command(name = "tail", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class,
      description = "Print one line per finished request: id, finish reason, latency, cached/prompt tokens, text. Ctrl-C stops.")
  static final class Tail implements Callable<Integer> {
    @Mixin KafkaOptions kafka;
    @Spec CommandSpec spec;

    @Option(names = "--from-beginning", description = "Start at the oldest retained result instead of now.")
    boolean fromBeginning;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (ResultsReader reader = new ResultsReader(kafka.bootstrapServers(), kafka.namespace(), fromBeginning, kafka.clientOverrides())) {
        Thread hook = new Thread(reader::stop, "sluice-results-tail-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        reader.tail(completion -> {
          out.println(CompletionLines.tailLine(completion));
          out.flush();
        });
      }
      return 0;
    }
  }

  /** {@code sluice results export --out FILE.jsonl}: every request finished so far, one JSON object a line. */
  @Command(name = "export", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class,
      description = "Write every request finished so far (from the oldest retained result) as JSON lines, then exit.")
  static final class Export implements Callable<Integer> {
    @Mixin KafkaOptions kafka;
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE.jsonl", description = "Output file (overwritten).")
    Path out;

    @Override
    public Integer call() throws IOException {
      AtomicInteger written = new AtomicInteger();
      int unfinished;
      try (ResultsReader reader = new ResultsReader(kafka.bootstrapServers(), kafka.namespace(), true, kafka.clientOverrides());
          BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        unfinished = reader.readToEnd(completion -> {
          try {
            writer.write(CompletionLines.jsonLine(completion));
            writer.newLine();
            written.incrementAndGet();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
      spec.commandLine().getOut().println("exported " + written.get() + " completions to " + out
          + (unfinished > 0 ? " (" + unfinished + " requests still unfinished, not exported)" : ""));
      return 0;
    }
  }

}
