package dev.sluice.kafka.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The settings of the in-process broker: Sluice's broker-wide settings, its listeners and its directory. */
final class BrokerProperties {
  static final String HOST = "127.0.0.1";
  static final int NODE_ID = 1;

  /** A small machine shares its cores: fewer threads and a small log-cleaner buffer (default 128 MiB). */
  private static final Map<String, String> SMALL_MACHINE = Map.of("num.network.threads", "2", "num.io.threads", "4",
      "log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));

  private BrokerProperties() {}

  /** See {@link LocalKafka#sluiceSettings()}. */
  static Map<String, String> sluiceSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    // One node: every internal topic has one replica.
    s.put("offsets.topic.replication.factor", "1");
    s.put("offsets.topic.num.partitions", "8");
    s.put("transaction.state.log.replication.factor", "1");
    s.put("transaction.state.log.min.isr", "1");
    s.put("transaction.state.log.num.partitions", "8");
    s.put("share.coordinator.state.topic.replication.factor", "1");
    s.put("share.coordinator.state.topic.min.isr", "1");
    s.put("default.replication.factor", "1");
    s.put("min.insync.replicas", "1");
    // Sluice creates every topic explicitly with its own size limit (stage-topics).
    s.put("auto.create.topics.enable", "false");
    s.put("message.max.bytes", String.valueOf(LocalKafka.MESSAGE_MAX_BYTES));
    s.put("replica.fetch.max.bytes", String.valueOf(LocalKafka.MESSAGE_MAX_BYTES));
    // Fast group joins and KIP-848 rebalances (~5 s otherwise, <1 s with these).
    s.put("group.initial.rebalance.delay.ms", "0");
    s.put("group.consumer.heartbeat.interval.ms", "500");
    s.put("group.consumer.min.heartbeat.interval.ms", "500");
    s.put("group.consumer.assignment.interval.ms", "0");
    return s;
  }

  /**
   * The whole configuration of a combined broker and controller on {@link #HOST}.
   *
   * @param saslUsers PLAIN users (name → password) of a SASL_PLAINTEXT listener on {@code saslPort}; empty = none
   * @param overrides applied last, over everything else
   */
  static Properties of(Path dataDir, int port, int controllerPort, Map<String, String> saslUsers, int saslPort,
      Map<String, String> overrides) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    // Static quorum: the voter's address comes from config, so new ports after a restart are fine.
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    if (!saslUsers.isEmpty()) {
      p.put("listeners", p.get("listeners") + ",SASL_PLAINTEXT://" + HOST + ":" + saslPort);
      p.put("advertised.listeners", p.get("advertised.listeners") + ",SASL_PLAINTEXT://" + HOST + ":" + saslPort);
      p.put("listener.security.protocol.map", p.get("listener.security.protocol.map") + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
      p.put("sasl.enabled.mechanisms", "PLAIN");
      StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
      saslUsers.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
      p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
    }
    p.put("log.dirs", dataDir.toString());
    p.putAll(sluiceSettings());
    p.putAll(SMALL_MACHINE);
    p.putAll(overrides);
    Properties props = new Properties();
    props.putAll(p);
    return props;
  }
}
