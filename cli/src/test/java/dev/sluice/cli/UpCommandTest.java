package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `sluice up` validates its settings (flags, SLUICE_* environment, YAML) before starting anything. */
class UpCommandTest {
  private static String run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cmd = Sluice.commandLine();
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return code + " " + err;
  }

  @Test
  void shouldNameTheBadFlagBeforeStartingAnything() {
    assertThat(run("up", "--lanes", "0")).startsWith("2 ").contains("'lanes'").contains("flag --lanes");
    assertThat(run("up", "--policy", "fastest")).startsWith("2 ").contains("'policy'").contains("cache_aware");
  }

  @Test
  void shouldNameTheBadOrUnknownKeyOfTheConfigFile(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("up.yaml");
    Files.writeString(bad, "stages: 2\nworkers_per_stage: many\n");
    assertThat(run("up", "--config", bad.toString())).startsWith("2 ").contains("'workers_per_stage'").contains(bad.toString());

    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, "stagez: 3\n");
    assertThat(run("up", "--config", typo.toString())).startsWith("2 ").contains("stagez");
  }

  @Test
  void shouldLetAFlagWinOverTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("up.yaml");
    Files.writeString(file, "lanes: 0\n");
    UpCommand up = new CommandLine(new Sluice()).getSubcommands().get("up").getCommand();
    new CommandLine(up).parseArgs("--config", file.toString(), "--lanes", "4", "--stages", "3", "--data-dir", dir.toString());
    var spec = up.spec();
    assertThat(spec.lanes()).isEqualTo(4);
    assertThat(spec.stages()).isEqualTo(3);
    assertThat(spec.bootstrapServers()).isNull();
    assertThat(spec.dataDir()).isEqualTo(dir);
  }
}
