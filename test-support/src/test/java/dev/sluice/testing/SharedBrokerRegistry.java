package dev.sluice.testing;

import dev.sluice.kafka.local.KafkaBroker;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** The broker instances the shared-extension test classes were given, by identity. */
final class SharedBrokerRegistry {
  static final Set<KafkaBroker> SEEN = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

  private SharedBrokerRegistry() {}
}
