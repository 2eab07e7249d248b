package dev.sluice.cli.deploy;

import static dev.sluice.cli.deploy.DeploymentFiles.ROOT;
import static dev.sluice.cli.deploy.DeploymentFiles.containers;
import static dev.sluice.cli.deploy.DeploymentFiles.kustomizeFiles;
import static dev.sluice.cli.deploy.DeploymentFiles.kustomizeResources;
import static dev.sluice.cli.deploy.DeploymentFiles.leaf;
import static dev.sluice.cli.deploy.DeploymentFiles.list;
import static dev.sluice.cli.deploy.DeploymentFiles.map;
import static dev.sluice.cli.deploy.DeploymentFiles.name;
import static dev.sluice.cli.deploy.DeploymentFiles.ofKind;
import static dev.sluice.cli.deploy.DeploymentFiles.option;
import static dev.sluice.cli.deploy.DeploymentFiles.parseSluice;
import static dev.sluice.cli.deploy.DeploymentFiles.podLabels;
import static dev.sluice.cli.deploy.DeploymentFiles.podSpec;
import static dev.sluice.cli.deploy.DeploymentFiles.str;
import static dev.sluice.cli.deploy.DeploymentFiles.strings;
import static dev.sluice.cli.deploy.DeploymentFiles.workloads;
import static dev.sluice.cli.deploy.DeploymentFiles.yamlMap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files start as written: docker-compose.yml, the kustomize base and overlays under
 * ops/k8s, the Prometheus config and alerts, the local-worker scripts. Checked without a container engine
 * or a cluster, for the defects that make a deployment fail at start (an undefined volume, claim or
 * Service, a flag the command does not have, a broker setting of another Kafka version, listeners the
 * host cannot reach, workers sharing one cache); where docker-compose, kubectl or promtool is on the
 * PATH, they check the files too. {@link DeploymentMetricsTest} checks the metrics against a running pipeline.
 */
class DeploymentFilesTest {
  private static final Path BASE = ROOT.resolve("ops/k8s/base");
  private static final Path KEDA = ROOT.resolve("ops/k8s/overlays/keda");
  private static final Path COMPONENTS = ROOT.resolve("ops/k8s/components");
  private static final Set<String> CORE_API_VERSIONS = Set.of("v1", "apps/v1", "batch/v1");

  // ---------------------------------------------------------------- docker-compose.yml

  @Test
  void composeNeedsNoKeyThatComposeV1Refuses() {
    Map<String, Object> compose = DeploymentFiles.compose();
    for (String key : compose.keySet()) {
      assertThat(Set.of("services", "volumes", "networks", "configs", "secrets").contains(key) || key.startsWith("x-"))
          .as("top-level key '%s' (docker-compose 1.29 refuses 'name:')", key).isTrue();
    }
  }

  @Test
  void composeDefinesEveryVolumeServiceAndBindMountItUses() {
    Map<String, Object> compose = DeploymentFiles.compose();
    Map<String, Object> services = map(compose, "services");
    Set<String> namedVolumes = map(compose, "volumes").keySet();
    for (var service : services.entrySet()) {
      for (String dependency : map(service.getValue(), "depends_on").keySet()) {
        assertThat(services).as("%s depends on %s", service.getKey(), dependency).containsKey(dependency);
      }
      for (String volume : strings(list(service.getValue(), "volumes"))) {
        String source = volume.split(":")[0];
        if (source.startsWith(".") || source.startsWith("/")) {
          Path host = ROOT.resolve(source).normalize();
          if (host.startsWith(ROOT.resolve("models"))) continue; // composeServesTheReposModel
          assertThat(host).as("%s mounts %s", service.getKey(), source).exists();
        } else {
          assertThat(namedVolumes).as("%s mounts the named volume %s", service.getKey(), source).contains(source);
        }
      }
    }
  }

  @Test
  void composeServesTheReposModel() {
    Map<String, Object> services = map(DeploymentFiles.compose(), "services");
    Set<Path> modelDirs = new TreeSet<>();
    for (var service : services.entrySet()) {
      List<String> command = strings(list(service.getValue(), "command"));
      String model = option(command, "--model");
      if (model == null) continue;
      String mount = strings(list(service.getValue(), "volumes")).stream().filter(v -> v.split(":")[1].equals(model))
          .findFirst().orElse(null);
      assertThat(mount).as("%s reads --model %s: a volume must be mounted there", service.getKey(), model).isNotNull();
      modelDirs.add(ROOT.resolve(mount.split(":")[0]).normalize());
    }
    assertThat(modelDirs).as("the model directory every role reads").containsExactly(ROOT.resolve("models/stories260K"));
    Path model = modelDirs.iterator().next();
    assumeTrue(Files.isDirectory(model), "models/stories260K is not in this checkout yet (the repo's embedded model)");
    for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
      assertThat(model.resolve(file)).exists();
    }
    assertThat(DeploymentFiles.read(ROOT.resolve("Dockerfile"))).as("the image carries the model for Kubernetes")
        .contains("/src/models/stories260K /opt/sluice/models/stories260K");
  }

  @Test
  void composeBrokerIsTheClientsKafkaVersionWithThatVersionsSettingsAndItsDataOnTheVolume() {
    Map<String, Object> broker = map(DeploymentFiles.compose(), "services", "kafka");
    String version = AppInfoParser.getVersion(); // the kafka-clients of the build, pom.xml kafka.version
    assertThat(str(broker, "image")).isEqualTo("apache/kafka:" + version);
    Map<String, String> settings = brokerSettings(map(broker, "environment"));
    for (String setting : settings.keySet()) {
      assertThat(kafka.server.KafkaConfig.configType(setting).isDefined())
          .as("broker setting %s (from the image's KAFKA_* variables) exists in Kafka %s", setting, version).isTrue();
    }
    // the image writes to /tmp/kraft-combined-logs unless log.dirs names the volume
    String logDirs = settings.get("log.dirs");
    assertThat(logDirs).as("KAFKA_LOG_DIRS").isNotNull();
    assertThat(strings(list(broker, "volumes"))).anyMatch(v -> v.endsWith(":" + logDirs) && !v.startsWith("."));
    // the same settings as the in-process broker and the tests' Kafka container (sub-second rebalances,
    // explicit topics only, 64 MiB records, one replica of every internal topic)
    assertThat(settings).containsAllEntriesOf(dev.sluice.kafka.local.LocalKafka.sluiceSettings());
    assertThat(Long.parseLong(settings.get("message.max.bytes"))).isGreaterThanOrEqualTo(
        dev.sluice.worker.WorkerSettings.DEFAULT_MAX_MESSAGE_BYTES);
  }

  @Test
  void composeBrokerAdvertisesAListenerToContainersAndOneToTheHost() {
    Map<String, Object> compose = DeploymentFiles.compose();
    Map<String, Object> kafka = map(compose, "services", "kafka");
    Map<String, String> settings = brokerSettings(map(kafka, "environment"));
    Map<String, String> advertised = new LinkedHashMap<>(); // listener name -> host:port
    for (String l : settings.get("advertised.listeners").split(",")) {
      advertised.put(l.substring(0, l.indexOf("://")), l.substring(l.indexOf("://") + 3));
    }
    Set<String> published = new HashSet<>();
    for (String p : strings(list(kafka, "ports"))) published.add(p.split(":")[0] + ":" + p.split(":")[1]);
    String hostName = str(kafka, "hostname") == null ? "kafka" : str(kafka, "hostname");
    String containerListener = advertised.values().stream().filter(a -> a.startsWith(hostName + ":")).findFirst().orElse(null);
    assertThat(containerListener).as("a listener advertised as %s:PORT for the other containers", hostName).isNotNull();
    String hostListener = advertised.values().stream().filter(a -> a.startsWith("localhost:") || a.startsWith("127.0.0.1:"))
        .findFirst().orElse(null);
    assertThat(hostListener).as("a listener advertised as localhost:PORT for clients on the host").isNotNull();
    String port = hostListener.split(":")[1];
    assertThat(published).as("the host listener's port is published").contains(port + ":" + port);
    for (String listener : advertised.keySet()) {
      assertThat(settings.get("listeners")).contains(listener + "://");
      assertThat(settings.get("listener.security.protocol.map")).contains(listener + ":");
    }
    // every Sluice role talks to the container listener
    for (var service : map(compose, "services").entrySet()) {
      String bootstrap = option(strings(list(service.getValue(), "command")), "--bootstrap-servers");
      if (bootstrap != null) assertThat(bootstrap).as(service.getKey()).isEqualTo(containerListener);
    }
  }

  @Test
  void composeRunsOnlyRealSluiceFlagsAndAConsistentTopology() {
    Map<String, Object> services = map(DeploymentFiles.compose(), "services");
    List<List<String>> commands = new ArrayList<>();
    for (var service : services.entrySet()) {
      if (!String.valueOf(str(service.getValue(), "image")).startsWith("sluice")) continue;
      List<String> command = strings(list(service.getValue(), "command"));
      assertThatCode(() -> parseSluice(command)).as("%s: sluice %s", service.getKey(), command).doesNotThrowAnyException();
      commands.add(command);
    }
    checkTopology(commands);
  }

  @Test
  void composeWorkersEachHaveTheirOwnIdAndCacheVolume() {
    Map<String, Object> services = map(DeploymentFiles.compose(), "services");
    Set<String> ids = new HashSet<>();
    Set<String> cacheVolumes = new HashSet<>();
    int workers = 0;
    for (var service : services.entrySet()) {
      List<String> command = strings(list(service.getValue(), "command"));
      if (command.isEmpty() || !command.get(0).equals("worker")) continue;
      workers++;
      assertThat(map(service.getValue(), "deploy").get("replicas")).as("%s: replicas would share one cache", service.getKey())
          .isNull();
      assertThat(ids.add(option(command, "--worker-id"))).as("%s: a --worker-id of its own", service.getKey()).isTrue();
      String dataDir = option(command, "--data-dir");
      String volume = strings(list(service.getValue(), "volumes")).stream().filter(v -> v.split(":")[1].equals(dataDir))
          .map(v -> v.split(":")[0]).findFirst().orElse(null);
      assertThat(volume).as("%s: a volume at its --data-dir %s", service.getKey(), dataDir).isNotNull();
      assertThat(cacheVolumes.add(volume)).as("%s: cache volume %s of its own", service.getKey(), volume).isTrue();
    }
    assertThat(workers).isGreaterThanOrEqualTo(2);
  }

  @Test
  void composePrometheusScrapesEveryRoleAtItsMetricsPortAndLoadsTheAlerts() {
    Map<String, Object> compose = DeploymentFiles.compose();
    Map<String, Object> services = map(compose, "services");
    Map<String, Object> prometheus = yamlMap(ROOT.resolve("ops/prometheus/prometheus.yml"));
    Set<String> targets = new TreeSet<>();
    for (Object job : list(prometheus, "scrape_configs")) {
      for (Object sc : list(job, "static_configs")) targets.addAll(strings(list(sc, "targets")));
      for (Object dns : list(job, "dns_sd_configs")) {
        for (String n : strings(list(dns, "names"))) targets.add(n + ":" + str(dns, "port"));
      }
    }
    Set<String> expected = new TreeSet<>();
    for (var service : services.entrySet()) {
      List<String> command = strings(list(service.getValue(), "command"));
      if (command.isEmpty()) continue;
      String port = command.get(0).equals("ingress") ? option(command, "--port") : option(command, "--metrics-port");
      if (Set.of("router", "worker", "ingress").contains(command.get(0))) {
        assertThat(port).as("%s serves /metrics", service.getKey()).isNotNull();
        expected.add(service.getKey() + ":" + port);
      }
    }
    assertThat(targets).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(strings(list(prometheus, "rule_files"))).containsExactly("alerts.yml");
    assertThat(strings(list(services.get("prometheus"), "volumes")))
        .contains("./ops/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro", "./ops/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
    String datasource = DeploymentFiles.read(ROOT.resolve("ops/grafana/provisioning/datasources/prometheus.yml"));
    assertThat(datasource).contains("url: http://prometheus:9090");
  }

  // ---------------------------------------------------------------- ops/k8s

  @Test
  void kubernetesBaseNeedsOnlyTheCoreApiAndTheKedaOverlayAddsTheScaledObjects() {
    for (Map<String, Object> o : kustomizeResources(BASE)) {
      assertThat(CORE_API_VERSIONS).as("%s %s in the base", o.get("kind"), name(o)).contains(str(o, "apiVersion"));
    }
    assertThat(strings(list(yamlMap(KEDA.resolve("kustomization.yaml")), "resources"))).contains("../../base");
    List<Map<String, Object>> keda = kustomizeResources(KEDA);
    assertThat(ofKind(keda, "ScaledObject")).hasSize(ofKind(kustomizeResources(BASE), "StatefulSet").size());
    for (Path dir : List.of(BASE, KEDA, COMPONENTS.resolve("model-pvc"), COMPONENTS.resolve("pod-monitor"))) {
      for (Path file : kustomizeFiles(dir)) assertThat(file).as("named by %s", dir).exists();
    }
  }

  @Test
  void kubernetesDefinesEveryServiceClaimConfigMapAndVolumeItReferences() {
    List<Map<String, Object>> objects = kustomizeResources(BASE);
    Map<String, Map<String, Object>> services = new HashMap<>();
    ofKind(objects, "Service").forEach(s -> services.put(name(s), s));
    Set<String> configMaps = new HashSet<>();
    ofKind(objects, "ConfigMap").forEach(c -> configMaps.add(name(c)));
    for (Map<String, Object> w : workloads(objects)) {
      if ("StatefulSet".equals(w.get("kind"))) {
        Map<String, Object> headless = services.get(str(w, "spec", "serviceName"));
        assertThat(headless).as("%s: its serviceName %s", name(w), str(w, "spec", "serviceName")).isNotNull();
        assertThat(str(headless, "spec", "clusterIP")).isEqualTo("None");
        assertThat(podLabels(w)).containsAllEntriesOf(stringMap(map(headless, "spec", "selector")));
      }
      Set<String> volumes = new HashSet<>();
      for (Object v : list(podSpec(w), "volumes")) {
        volumes.add(str(v, "name"));
        assertThat(str(v, "persistentVolumeClaim", "claimName")).as("%s: claims live in components/model-pvc", name(w)).isNull();
      }
      for (Object t : list(w, "spec", "volumeClaimTemplates")) volumes.add(str(t, "metadata", "name"));
      for (Map<String, Object> c : containers(w)) {
        for (Object m : list(c, "volumeMounts")) assertThat(volumes).as("%s mounts", name(w)).contains(str(m, "name"));
        for (Object e : list(c, "envFrom")) {
          assertThat(configMaps).as("%s reads", name(w)).contains(str(e, "configMapRef", "name"));
        }
      }
      assertThat(map(w, "spec", "template", "metadata", "annotations").keySet())
          .as("%s: prometheus.io/* annotations that no scrape config reads", name(w)).noneMatch(k -> k.startsWith("prometheus.io/"));
    }
    for (Map<String, Object> s : services.values()) {
      Map<String, String> selector = stringMap(map(s, "spec", "selector"));
      assertThat(workloads(objects)).as("Service %s selects pods", name(s))
          .anyMatch(w -> stringMap(podLabels(w)).entrySet().containsAll(selector.entrySet()));
    }
    // the model volume component: its claim is defined, ReadOnlyMany, and every mount names it
    List<Map<String, Object>> component = kustomizeResources(COMPONENTS.resolve("model-pvc"));
    Map<String, Object> claim = ofKind(component, "PersistentVolumeClaim").get(0);
    assertThat(strings(list(claim, "spec", "accessModes"))).containsExactly("ReadOnlyMany");
    for (String patch : List.of("mount-router.yaml", "mount-workers.yaml")) {
      Map<String, Object> p = yamlMap(COMPONENTS.resolve("model-pvc").resolve(patch));
      assertThat(list(podSpec(p), "volumes")).allMatch(v -> name(claim).equals(str(v, "persistentVolumeClaim", "claimName")));
    }
  }

  @Test
  void kubernetesImageIsSetInOnePlaceAndPodsRunRealSluiceFlags() {
    List<Map<String, Object>> objects = kustomizeResources(BASE);
    List<Object> images = list(yamlMap(BASE.resolve("kustomization.yaml")), "images");
    assertThat(images).as("images: in the base kustomization").anyMatch(i -> "sluice".equals(str(i, "name")));
    Map<String, String> config = stringMap(map(ofKind(objects, "ConfigMap").stream().filter(c -> "sluice".equals(name(c)))
        .findFirst().orElseThrow(), "data"));
    List<List<String>> commands = new ArrayList<>();
    for (Map<String, Object> w : workloads(objects)) {
      assertThat(podLabels(w)).as("%s: the label the scrape config keeps", name(w)).containsEntry("app.kubernetes.io/part-of", "sluice");
      for (Map<String, Object> c : containers(w)) {
        assertThat(str(c, "image")).as("%s: the kustomize image name", name(w)).isEqualTo("sluice");
        assertThat(str(c, "imagePullPolicy")).isEqualTo("IfNotPresent");
        List<String> args = strings(list(c, "args"));
        assertThatCode(() -> parseSluice(args)).as("%s: sluice %s", name(w), args).doesNotThrowAnyException();
        Set<String> env = new HashSet<>(config.keySet());
        for (Object e : list(c, "env")) env.add(str(e, "name"));
        Matcher ref = Pattern.compile("\\$\\(([A-Z_]+)\\)").matcher(String.join(" ", args));
        while (ref.find()) assertThat(env).as("%s: $(%s) is defined", name(w), ref.group(1)).contains(ref.group(1));
        commands.add(args);
        if (Set.of("router", "worker", "ingress").contains(args.get(0))) {
          String port = args.get(0).equals("ingress") ? option(args, "--port") : option(args, "--metrics-port");
          assertThat(list(c, "ports")).as("%s: a port named metrics or http serves /metrics", name(w))
              .anyMatch(p -> port.equals(str(p, "containerPort")) && Set.of("metrics", "http").contains(str(p, "name")));
        }
      }
    }
    checkTopology(commands);
  }

  @Test
  void kedaScalesEachStageOnItsGroupsLagCountedAsTheWorkersCountIt() {
    List<Map<String, Object>> base = kustomizeResources(BASE);
    Map<String, Map<String, Object>> statefulSets = new HashMap<>();
    ofKind(base, "StatefulSet").forEach(s -> statefulSets.put(name(s), s));
    String bootstrap = stringMap(map(ofKind(base, "ConfigMap").stream().filter(c -> "sluice".equals(name(c))).findFirst()
        .orElseThrow(), "data")).get("SLUICE_BOOTSTRAP_SERVERS");
    List<String> topicsArgs = strings(list(containers(ofKind(base, "Job").get(0)).get(0), "args"));
    int lanes = Integer.parseInt(option(topicsArgs, "--lanes"));
    for (Map<String, Object> so : ofKind(kustomizeResources(KEDA), "ScaledObject")) {
      Map<String, Object> target = statefulSets.get(str(so, "spec", "scaleTargetRef", "name"));
      assertThat(target).as("ScaledObject %s scales a StatefulSet of the base", name(so)).isNotNull();
      assertThat(str(so, "spec", "scaleTargetRef", "kind")).isEqualTo("StatefulSet");
      List<String> worker = strings(list(containers(target).get(0), "args"));
      String stage = option(worker, "--stage");
      assertThat(Integer.parseInt(str(so, "spec", "maxReplicaCount"))).as("at most one worker per lane").isLessThanOrEqualTo(lanes);
      Map<String, Object> trigger = map(list(so, "spec", "triggers").get(0));
      assertThat(str(trigger, "type")).isEqualTo("kafka");
      Map<String, String> meta = stringMap(map(trigger, "metadata"));
      assertThat(meta).containsEntry("consumerGroup", "sluice.stage-" + stage).containsEntry("topic", "sluice.stage-" + stage)
          .containsEntry("bootstrapServers", bootstrap)
          // StageWorker's consumers start a group with no commit at auto.offset.reset=earliest
          .containsEntry("offsetResetPolicy", "earliest");
    }
  }

  @Test
  void kubernetesScrapeConfigKeepsEveryPodsMetricsPort() {
    Map<String, Object> cm = ofKind(kustomizeResources(BASE), "ConfigMap").stream()
        .filter(c -> "sluice-prometheus".equals(name(c))).findFirst().orElseThrow();
    Map<String, Object> config = yamlMap(str(cm, "data", "prometheus.yml"));
    String relabel = list(list(config, "scrape_configs").get(0), "relabel_configs").toString();
    assertThat(relabel).contains("__meta_kubernetes_pod_label_app_kubernetes_io_part_of", "regex=sluice",
        "__meta_kubernetes_pod_container_port_name", "regex=metrics|http");
    Map<String, Object> podMonitor = kustomizeResources(COMPONENTS.resolve("pod-monitor")).get(0);
    assertThat(stringMap(map(podMonitor, "spec", "selector", "matchLabels"))).containsEntry("app.kubernetes.io/part-of", "sluice");
  }

  // ---------------------------------------------------------------- alerts, scripts

  @Test
  void alertsCoverWhatTheIssueAsksForAndEachSaysWhatHappened() {
    Map<String, String> exprs = new LinkedHashMap<>();
    for (Map<String, Object> rule : DeploymentFiles.alertRules()) {
      exprs.put(str(rule, "alert"), str(rule, "expr"));
      assertThat(str(rule, "labels", "severity")).as(str(rule, "alert")).isIn("warning", "critical");
      assertThat(str(rule, "annotations", "summary")).as(str(rule, "alert")).isNotBlank();
      assertThat(str(rule, "for")).as(str(rule, "alert")).isNotNull();
    }
    assertThat(exprs.get("SluiceWorkerDown")).contains("sluice_cluster_workers", "stale");
    assertThat(exprs.get("SluiceStageWithoutWorkers")).contains("sluice_cluster_workers", "healthy", "== 0");
    assertThat(exprs.get("SluiceStageLagGrowing")).contains("sluice_cluster_stage_lag_records", "deriv");
    assertThat(exprs.get("SluiceCacheHitRateCollapse")).contains("sluice_worker_kv_hits_total", "sluice_worker_kv_misses_total");
    assertThat(exprs.get("SluiceErrorRate")).contains("sluice_ingress_requests_total", "5..");
    assertThat(exprs.get("SluiceDlqGrowing")).contains("sluice_cluster_dlq_records");
    assertThat(exprs).containsKey("SluiceTargetDown");
  }

  @Test
  void localWorkerScriptsRunRealWorkerFlags() throws Exception {
    String script = DeploymentFiles.read(ROOT.resolve("ops/scripts/start-workers.sh"));
    Matcher line = Pattern.compile("\"\\$\\{sluice\\[@]}\" worker (.*?)\"\\$@\"", Pattern.DOTALL).matcher(script);
    assertThat(line.find()).as("start-workers.sh runs `sluice worker ...`").isTrue();
    Set<String> used = new TreeSet<>();
    Matcher flag = Pattern.compile("(--[a-z-]+)").matcher(line.group(1));
    while (flag.find()) used.add(flag.group(1));
    assertThat(used).contains("--stage", "--layers", "--model", "--worker-id", "--data-dir", "--metrics-port");
    assertThat(DeploymentFiles.optionNames("worker")).containsAll(used);
    assertThat(script).contains("$repo/models/stories260K");
    for (String s : List.of("start-workers.sh", "stop-workers.sh")) {
      Path file = ROOT.resolve("ops/scripts").resolve(s);
      assertThat(Files.isExecutable(file)).as(s + " is executable").isTrue();
      Path bash = DeploymentFiles.onPath("bash");
      if (bash != null) {
        var r = DeploymentFiles.run(ROOT, List.of(bash.toString(), "-n", file.toString()), Map.of());
        assertThat(r.exit()).as(r.output()).isZero();
      }
    }
  }

  @Test
  void readmeDeploymentSectionRunsRealCommandsOnFilesThatExist() {
    String readme = DeploymentFiles.read(ROOT.resolve("README.md"));
    int start = readme.indexOf("\n## Deployment");
    assertThat(start).as("README has a Deployment section").isPositive();
    String section = readme.substring(start + 1, readme.indexOf("\n## ", start + 1));
    int sluiceCommands = 0;
    for (String raw : section.split("\n")) {
      String line = raw.replaceAll("\\s+#.*$", "").replaceAll("\\s*&$", "").trim();
      List<String> words = List.of(line.split("\\s+"));
      if (line.startsWith("./sluice ")) {
        sluiceCommands++;
        assertThatCode(() -> parseSluice(words.subList(1, words.size()))).as(line).doesNotThrowAnyException();
      } else if (line.startsWith("ops/scripts/start-workers.sh ")) {
        List<String> flags = words.subList(4, words.size()).stream().filter(w -> w.startsWith("--")).toList();
        assertThat(DeploymentFiles.optionNames("worker")).as(line).containsAll(flags);
      } else if (line.startsWith("kubectl apply -k ")) {
        assertThat(ROOT.resolve(words.get(3)).resolve("kustomization.yaml")).as(line).exists();
      }
      Matcher path = Pattern.compile("\\b((?:ops/|models/)[A-Za-z0-9_./-]*[A-Za-z0-9_])").matcher(raw);
      while (path.find()) {
        if (path.group(1).startsWith("models/")) continue; // the repo's model, checked by composeServesTheReposModel
        assertThat(ROOT.resolve(path.group(1))).as("README names %s", path.group(1)).exists();
      }
    }
    assertThat(sluiceCommands).isGreaterThanOrEqualTo(4);
  }

  // ---------------------------------------------------------------- the tools, where installed

  @Test
  void dockerComposeAcceptsTheFileWhereInstalled() throws Exception {
    Path v1 = DeploymentFiles.onPath("docker-compose");
    Path docker = DeploymentFiles.onPath("docker");
    assumeTrue(v1 != null || docker != null, "neither docker-compose nor docker is on the PATH");
    List<String> command = v1 != null ? List.of(v1.toString(), "-f", "docker-compose.yml", "config", "-q")
        : List.of(docker.toString(), "compose", "-f", "docker-compose.yml", "config", "-q");
    var r = DeploymentFiles.run(ROOT, command, Map.of());
    assertThat(r.exit()).as(command + ": " + r.output()).isZero();
  }

  @Test
  void kubectlRendersTheBaseTheOverlayAndTheComponentsWhereInstalled(@TempDir Path dir) throws Exception {
    Path kubectl = DeploymentFiles.onPath("kubectl");
    assumeTrue(kubectl != null, "kubectl is not on the PATH");
    var version = DeploymentFiles.run(ROOT, List.of(kubectl.toString(), "version", "--client"), Map.of());
    Matcher kustomize = Pattern.compile("Kustomize Version: v(\\d+)").matcher(version.output());
    assumeTrue(kustomize.find() && Integer.parseInt(kustomize.group(1)) >= 4,
        "this kubectl's kustomize predates components (kubectl 1.21+ needed): " + version.output().trim());
    var base = DeploymentFiles.run(ROOT, List.of(kubectl.toString(), "kustomize", "ops/k8s/base"), Map.of());
    assertThat(base.exit()).as(base.output()).isZero();
    assertThat(base.output()).contains("image: sluice:0.1.0").doesNotContain("keda.sh", "monitoring.coreos.com");
    var keda = DeploymentFiles.run(ROOT, List.of(kubectl.toString(), "kustomize", "ops/k8s/overlays/keda"), Map.of());
    assertThat(keda.exit()).as(keda.output()).isZero();
    assertThat(keda.output()).contains("kind: ScaledObject", "offsetResetPolicy: earliest");
    // an overlay of the user's: KEDA plus both components, and another image
    String k8s = dir.relativize(ROOT.resolve("ops/k8s")).toString();
    Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization",
        "resources: [" + k8s + "/overlays/keda]",
        "components: [" + k8s + "/components/model-pvc, " + k8s + "/components/pod-monitor]",
        "images: [{name: sluice, newName: registry.example.com/sluice, newTag: \"1.2.3\"}]", ""));
    var all = DeploymentFiles.run(dir, List.of(kubectl.toString(), "kustomize", "."), Map.of());
    assertThat(all.exit()).as(all.output()).isZero();
    assertThat(all.output()).contains("kind: PodMonitor", "kind: PersistentVolumeClaim", "claimName: sluice-model",
        "image: registry.example.com/sluice:1.2.3").doesNotContain("image: sluice:");
    assertThat(Pattern.compile("claimName: sluice-model").matcher(all.output()).results().count())
        .as("the router and both worker StatefulSets mount the model claim").isEqualTo(3);
  }

  @Test
  void promtoolAcceptsTheConfigsAndTheAlertsPassTheirUnitTestsWhereInstalled(@TempDir Path dir) throws Exception {
    Path promtool = DeploymentFiles.onPath("promtool");
    assumeTrue(promtool != null, "promtool is not on the PATH");
    Path prometheus = ROOT.resolve("ops/prometheus");
    for (List<String> args : List.of(List.of("check", "config", "prometheus.yml"), List.of("check", "rules", "alerts.yml"),
        List.of("test", "rules", "alerts-test.yml"))) {
      List<String> command = new ArrayList<>(List.of(promtool.toString()));
      command.addAll(args);
      var r = DeploymentFiles.run(prometheus, command, Map.of());
      assertThat(r.exit()).as(command + ": " + r.output()).isZero();
    }
    // the Kubernetes scrape config, with the alerts where its rule_files says
    Map<String, Object> cm = ofKind(kustomizeResources(BASE), "ConfigMap").stream()
        .filter(c -> "sluice-prometheus".equals(name(c))).findFirst().orElseThrow();
    Files.copy(prometheus.resolve("alerts.yml"), dir.resolve("alerts.yml"));
    String k8sConfig = str(cm, "data", "prometheus.yml").replace("/etc/prometheus/rules/alerts.yml", dir.resolve("alerts.yml").toString());
    Files.writeString(dir.resolve("prometheus.yml"), k8sConfig);
    var r = DeploymentFiles.run(dir, List.of(promtool.toString(), "check", "config", "prometheus.yml"), Map.of());
    if (r.exit() != 0 && r.output().contains("field kubernetes_sd_configs not found")) {
      // Debian's Prometheus is built without Kubernetes discovery: check the rest (relabelling, rule files)
      Map<String, Object> parsed = yamlMap(k8sConfig);
      for (Object job : list(parsed, "scrape_configs")) {
        @SuppressWarnings("unchecked")
        Map<String, Object> j = (Map<String, Object>) job;
        j.remove("kubernetes_sd_configs");
        j.put("static_configs", List.of(Map.of("targets", List.of("pod:9400"))));
      }
      Files.writeString(dir.resolve("prometheus.yml"), new org.yaml.snakeyaml.Yaml().dump(parsed));
      r = DeploymentFiles.run(dir, List.of(promtool.toString(), "check", "config", "prometheus.yml"), Map.of());
    }
    assertThat(r.exit()).as(r.output()).isZero();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * One pipeline: topics created with S stages, a worker for every stage 0..S-1 whose layer ranges are
   * contiguous from layer 0, stage 0 starting at 0, and the router's lanes equal to the topics'.
   */
  private static void checkTopology(List<List<String>> commands) {
    List<String> topics = commands.stream().filter(c -> c.size() > 1 && c.get(0).equals("topics")).findFirst().orElseThrow();
    int stages = Integer.parseInt(option(topics, "--stages"));
    int lanes = Integer.parseInt(option(topics, "--lanes"));
    Map<Integer, String> layers = new java.util.TreeMap<>();
    for (List<String> c : commands) {
      if (c.get(0).equals("worker")) {
        String previous = layers.put(Integer.parseInt(option(c, "--stage")), option(c, "--layers"));
        assertThat(previous == null || previous.equals(option(c, "--layers"))).as("one layer range per stage").isTrue();
      }
      if (c.get(0).equals("router")) {
        int routerLanes = leaf(parseSluice(c)).matchedOptionValue("--lanes", 32);
        assertThat(routerLanes).as("router --lanes = topics --lanes").isEqualTo(lanes);
      }
    }
    assertThat(layers.keySet()).as("a worker for every stage the topics have").containsExactlyElementsOf(
        java.util.stream.IntStream.range(0, stages).boxed().toList());
    int next = 0;
    for (String range : layers.values()) {
      String[] ab = range.split("-");
      assertThat(Integer.parseInt(ab[0])).as("layers %s follow on from layer %d", range, next).isEqualTo(next);
      next = Integer.parseInt(ab[1]) + 1;
    }
    Path config = ROOT.resolve("models/stories260K/config.json");
    if (Files.isRegularFile(config)) {
      assertThat(next).as("the stages cover every layer of the model").isEqualTo(
          dev.sluice.model.ModelConfig.read(config.getParent()).numLayers());
    }
  }

  /** The broker settings the apache/kafka image derives from KAFKA_* variables (KAFKA_A_B -> a.b, __ -> _, ___ -> -). */
  private static Map<String, String> brokerSettings(Map<String, Object> environment) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (var e : environment.entrySet()) {
      String key = e.getKey();
      if (!key.startsWith("KAFKA_") || key.endsWith("_OPTS")) continue;
      String name = key.substring("KAFKA_".length()).toLowerCase(java.util.Locale.ROOT)
          .replace("___", "\u0001").replace("__", "\u0002").replace('_', '.').replace('\u0001', '-').replace('\u0002', '_');
      settings.put(name, String.valueOf(e.getValue()));
    }
    return settings;
  }

  private static Map<String, String> stringMap(Map<String, Object> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }
}
