package io.spool.client.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What goes into a function's bundle (see {@link Bundler}).
 *
 * @param entrypoint {@code path/to/file.py:function} or {@code pkg.module.function}
 * @param includeModules packages and modules to ship, by import name ({@code mypkg}, {@code mypkg.sub},
 *     {@code helpers} for {@code helpers.py})
 * @param includeData glob patterns of data files to ship, relative to the python path ({@code mypkg/data/*.json},
 *     {@code **}{@code /*.csv})
 * @param requirements pip requirement lines; empty when they come from {@code requirementsFile}
 * @param requirementsFile a pip requirements file, or {@code null}
 * @param pythonPath the roots where modules and data are looked up, absolute, in import order; the current
 *     directory when none is given
 */
public record BundleSpec(String entrypoint, List<String> includeModules, List<String> includeData,
    List<String> requirements, Path requirementsFile, List<Path> pythonPath) {

  public BundleSpec {
    Objects.requireNonNull(entrypoint, "entrypoint");
    includeModules = List.copyOf(includeModules);
    includeData = List.copyOf(includeData);
    requirements = List.copyOf(requirements);
    if (!requirements.isEmpty() && requirementsFile != null) {
      throw new IllegalArgumentException("give requirements as lines or as a file, not both");
    }
    pythonPath = pythonPath.isEmpty()
        ? List.of(Path.of("").toAbsolutePath())
        : pythonPath.stream().map(root -> root.toAbsolutePath().normalize()).toList();
  }

  /** A spec with only an entrypoint, to which the builder adds. */
  public static Builder builder(String entrypoint) {
    return new Builder(entrypoint);
  }

  /** Builds a {@link BundleSpec}; each setter replaces what was set before. */
  public static final class Builder {

    private final String entrypoint;
    private List<String> includeModules = List.of();
    private List<String> includeData = List.of();
    private List<String> requirements = List.of();
    private Path requirementsFile;
    private List<Path> pythonPath = List.of();

    private Builder(String entrypoint) {
      this.entrypoint = entrypoint;
    }

    public Builder includeModules(List<String> names) {
      this.includeModules = List.copyOf(names);
      return this;
    }

    public Builder includeData(List<String> patterns) {
      this.includeData = List.copyOf(patterns);
      return this;
    }

    /** Requirement lines; replaces a requirements file. */
    public Builder requirements(List<String> lines) {
      this.requirements = List.copyOf(lines);
      this.requirementsFile = null;
      return this;
    }

    /** A requirements file; replaces requirement lines. */
    public Builder requirementsFile(Path file) {
      this.requirementsFile = Objects.requireNonNull(file, "file");
      this.requirements = List.of();
      return this;
    }

    public Builder pythonPath(List<Path> roots) {
      this.pythonPath = List.copyOf(roots);
      return this;
    }

    public BundleSpec build() {
      return new BundleSpec(entrypoint, includeModules, includeData, requirements, requirementsFile, pythonPath);
    }
  }
}
