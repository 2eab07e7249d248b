package dev.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command: one subcommand per role or tool. */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Serve a decoder-only language model as a Kafka pipeline.",
    subcommands = {
      UpCommand.class,
      DemoCommand.class,
      BrokerCommand.class,
      TopicsCommand.class,
      RouterCommand.class,
      WorkerCommand.class,
      IngressCommand.class,
      ResultsCommand.class,
      BenchCommand.class,
      GenerateCommand.class,
      VerifyCommand.class,
      PullCommand.class,
      SplitCommand.class,
      ImportLlama2cCommand.class,
      InitModelCommand.class,
      DashboardCommand.class,
      WorkersCommand.class,
      TraceCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Sluice implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line with Sluice's exception handler, so tests can run it with their own writers. */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Sluice());
    cmd.setExecutionExceptionHandler(new ErrorHandler());
    return cmd;
  }

  public static void main(String[] args) {
    SystemDefaults.apply();
    int code = commandLine().execute(args);
    System.exit(code);
  }
}
