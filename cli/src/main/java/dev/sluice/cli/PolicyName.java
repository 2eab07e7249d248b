package dev.sluice.cli;

import dev.sluice.router.policy.RoutingPolicies;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A routing policy option's value: one of {@link RoutingPolicies#NAMES}, or a usage error naming them. */
final class PolicyName implements ITypeConverter<String> {
  @Override
  public String convert(String value) {
    if (!RoutingPolicies.NAMES.contains(value)) {
      throw new TypeConversionException("unknown routing policy '" + value + "'; known: "
          + String.join(", ", RoutingPolicies.NAMES));
    }
    return value;
  }
}
