package dev.sluice.cli.deploy;

import dev.sluice.cli.Sluice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Reads the repo's deployment files as the tools do (YAML with anchors and merge keys, Compose's
 * {@code ${VAR:-default}}, the resources of a kustomization) and answers the questions the tests ask.
 */
final class DeploymentFiles {
  static final Path ROOT = findRoot();
  /** Variables Compose substitutes; a test run sets none, so the defaults apply as on a fresh clone. */
  private static final Pattern COMPOSE_VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");
  /** A metric name of Sluice in a PromQL expression, with its label matchers when it has some. */
  private static final Pattern SLUICE_SELECTOR = Pattern.compile("\\b(sluice_[a-z0-9_]+)(\\{([^}]*)})?");
  /** name="value", as in a PromQL selector's exact matchers and in the Prometheus text format (escapes kept). */
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private DeploymentFiles() {}

  private static Path findRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !(Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isDirectory(dir.resolve("ops")))) {
      dir = dir.getParent();
    }
    if (dir == null) throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
    return dir;
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new Yaml(options);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> yamlMap(Path file) {
    return (Map<String, Object>) yaml().load(read(file));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> yamlMap(String text) {
    return (Map<String, Object>) yaml().load(text);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> yamlDocuments(Path file) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : yaml().loadAll(read(file))) {
      if (doc != null) docs.add((Map<String, Object>) doc);
    }
    return docs;
  }

  /** docker-compose.yml with every {@code ${VAR:-default}} replaced by its default, as on a fresh clone. */
  static Map<String, Object> compose() {
    String text = read(ROOT.resolve("docker-compose.yml"));
    Matcher m = COMPOSE_VAR.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
    }
    m.appendTail(out);
    return yamlMap(out.toString());
  }

  // ---- YAML navigation ----

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node, String... path) {
    Object n = node;
    for (String key : path) {
      n = n == null ? null : ((Map<String, Object>) n).get(key);
    }
    return n == null ? Map.of() : (Map<String, Object>) n;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node, String... path) {
    Object n = node;
    for (String key : path) {
      n = n == null ? null : ((Map<String, Object>) n).get(key);
    }
    return n == null ? List.of() : (List<Object>) n;
  }

  static String str(Object node, String... path) {
    Object n = node;
    for (String key : path) {
      n = n == null ? null : ((Map<?, ?>) n).get(key);
    }
    return n == null ? null : n.toString();
  }

  static List<String> strings(List<Object> values) {
    List<String> out = new ArrayList<>();
    for (Object v : values) out.add(String.valueOf(v));
    return out;
  }

  // ---- Kustomize (the parts the repo uses: resources, components) ----

  /** The objects a kustomization directory lists, recursively through directories it names (patches not applied). */
  static List<Map<String, Object>> kustomizeResources(Path dir) {
    Map<String, Object> k = yamlMap(dir.resolve("kustomization.yaml"));
    List<Map<String, Object>> objects = new ArrayList<>();
    for (String r : strings(list(k, "resources"))) {
      Path p = dir.resolve(r).normalize();
      if (Files.isDirectory(p)) {
        objects.addAll(kustomizeResources(p));
      } else {
        objects.addAll(yamlDocuments(p));
      }
    }
    return objects;
  }

  /** The files a kustomization names (resources and patches), to check they exist. */
  static List<Path> kustomizeFiles(Path dir) {
    Map<String, Object> k = yamlMap(dir.resolve("kustomization.yaml"));
    List<Path> files = new ArrayList<>();
    for (String r : strings(list(k, "resources"))) files.add(dir.resolve(r).normalize());
    for (String c : strings(list(k, "components"))) files.add(dir.resolve(c).normalize());
    for (Object patch : list(k, "patches")) {
      String path = str(patch, "path");
      if (path != null) files.add(dir.resolve(path).normalize());
    }
    return files;
  }

  static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  static String name(Map<String, Object> object) {
    return str(object, "metadata", "name");
  }

  /** The pod spec of a Deployment, StatefulSet or Job. */
  static Map<String, Object> podSpec(Map<String, Object> workload) {
    return map(workload, "spec", "template", "spec");
  }

  static Map<String, Object> podLabels(Map<String, Object> workload) {
    return map(workload, "spec", "template", "metadata", "labels");
  }

  static List<Map<String, Object>> workloads(List<Map<String, Object>> objects) {
    return objects.stream().filter(o -> Set.of("Deployment", "StatefulSet", "Job").contains(o.get("kind"))).toList();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> containers(Map<String, Object> workload) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object c : list(podSpec(workload), "containers")) out.add((Map<String, Object>) c);
    for (Object c : list(podSpec(workload), "initContainers")) out.add((Map<String, Object>) c);
    return out;
  }

  // ---- sluice command lines ----

  /** Parses {@code sluice ARGS} with the real picocli model; unknown flags or subcommands throw. */
  static ParseResult parseSluice(List<String> args) {
    return Sluice.commandLine().parseArgs(args.toArray(String[]::new));
  }

  /** The deepest subcommand's parse result, e.g. {@code topics create}. */
  static ParseResult leaf(ParseResult root) {
    ParseResult r = root;
    while (r.hasSubcommand()) r = r.subcommand();
    return r;
  }

  static String option(List<String> args, String flag) {
    int i = args.indexOf(flag);
    return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
  }

  /** The flags of an argument list that start with {@code --}. */
  static List<String> flags(List<String> args) {
    return args.stream().filter(a -> a.startsWith("--")).toList();
  }

  /** Option names of a sluice subcommand path, e.g. {@code ["worker"]}. */
  static Set<String> optionNames(String... subcommands) {
    CommandLine cmd = Sluice.commandLine();
    for (String s : subcommands) cmd = cmd.getSubcommands().get(s);
    Set<String> names = new TreeSet<>();
    cmd.getCommandSpec().options().forEach(o -> names.addAll(List.of(o.names())));
    return names;
  }

  // ---- PromQL ----

  /** Every {@code sluice_*} metric name an expression reads, with its exact label matchers (label → value). */
  static Map<String, Set<Map<String, String>>> sluiceSelectors(String expr) {
    Map<String, Set<Map<String, String>>> out = new LinkedHashMap<>();
    Matcher m = SLUICE_SELECTOR.matcher(expr);
    while (m.find()) {
      out.computeIfAbsent(m.group(1), k -> new LinkedHashSet<>()).add(labels(m.group(3)));
    }
    return out;
  }

  /**
   * The {@code name="value"} pairs of a label list ({@code a="x", b="y"}: a selector's exact matchers, a sample's
   * labels), in order; none for null.
   */
  static Map<String, String> labels(String list) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (list == null) return labels;
    Matcher m = LABEL.matcher(list);
    while (m.find()) labels.put(m.group(1), m.group(2));
    return labels;
  }

  /** The PromQL expressions of the Grafana dashboard's panels. */
  static List<String> dashboardExpressions() throws IOException {
    var json = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(ROOT.resolve("ops/grafana/dashboards/sluice-overview.json").toFile());
    List<String> exprs = new ArrayList<>();
    json.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
    return exprs;
  }

  /** The alert rules of ops/prometheus/alerts.yml. */
  static List<Map<String, Object>> alertRules() {
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Object group : list(yamlMap(ROOT.resolve("ops/prometheus/alerts.yml")), "groups")) {
      for (Object rule : list(group, "rules")) {
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) rule;
        rules.add(r);
      }
    }
    return rules;
  }

  // ---- external tools ----

  /** The path of an executable on the PATH, or null. */
  static Path onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) return null;
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }

  record Run(int exit, String output) {}

  /** Runs a command in {@code dir}, merging stderr into stdout; fails after 60 s. */
  static Run run(Path dir, List<String> command, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " did not finish in 60 s");
    }
    return new Run(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
  }
}
