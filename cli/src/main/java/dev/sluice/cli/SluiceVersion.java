package dev.sluice.cli;

import picocli.CommandLine.IVersionProvider;

final class SluiceVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Sluice.class.getPackage().getImplementationVersion();
    return new String[] {"sluice " + (v == null ? "dev" : v)};
  }
}
