package dev.sluice.e2e.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.embedded.process.RoleProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child-JVM launcher that the end-to-end tests and {@code sluice bench chaos} share. */
class RoleProcessTest {

  @Test
  void shouldRunTheSluiceCommandAndReadEachStartsOwnOutputFromTheAppendedLog(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("logs/version.log");

    String first = runToExit(RoleProcess.start("version 1", log, "64m", List.of("--version")));
    String second = runToExit(RoleProcess.start("help", log, "64m", List.of("--help")));

    assertThat(first).startsWith("sluice ").doesNotContain("Usage:");
    assertThat(second).startsWith("Usage: sluice").doesNotContain(first);
    assertThat(Files.readString(log)).as("both starts appended to one log").isEqualTo(first + second);
  }

  @Test
  void shouldWaitUntilTheRolePrintedAndFailAtOnceNamingItsLogWhenItExitsFirst(@TempDir Path dir) {
    Path log = dir.resolve("version.log");
    try (RoleProcess printed = RoleProcess.start("version", log, "64m", List.of("--version"))) {
      assertThat(printed.awaitUntil(() -> printed.output().startsWith("sluice "), Duration.ofMinutes(1))).isTrue();
    }
    try (RoleProcess exits = RoleProcess.start("version again", log, "64m", List.of("--version"))) {
      assertThatThrownBy(() -> exits.awaitIngressPort(Duration.ofMinutes(1)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("version again exited")
          .hasMessageContaining(log.toString());
      assertThat(exits.ingressPort()).as("no ingress line printed").isEqualTo(-1);
    }
  }

  /** What the role printed once it exited by itself. */
  private static String runToExit(RoleProcess role) {
    try (role) {
      await(role.name() + " exited").atMost(Duration.ofMinutes(1)).until(() -> !role.isAlive());
      assertThat(role.startedAtMs()).isPositive();
      return role.output();
    }
  }
}
