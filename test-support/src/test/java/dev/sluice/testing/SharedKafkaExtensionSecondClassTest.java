package dev.sluice.testing;

/** The second of two classes that must get the same broker from {@link SharedKafkaExtension}. */
class SharedKafkaExtensionSecondClassTest extends SharedBrokerCheck {}
