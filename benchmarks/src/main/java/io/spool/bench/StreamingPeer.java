package io.spool.bench;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.mapreduce.MRJobConfig;
import org.apache.hadoop.mapreduce.v2.MiniMRYarnCluster;
import org.apache.hadoop.streaming.StreamJob;
import org.apache.hadoop.util.ToolRunner;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

/**
 * Hadoop Streaming on a MiniMRYarnCluster (its own ResourceManager and NodeManager in this JVM, on the embedded
 * cluster's HDFS): the burn function per input line, with {@code NLineInputFormat} giving each map a fixed number
 * of lines.
 */
final class StreamingPeer implements Closeable {

  private static final String MAPPER_SOURCE = """
      import sys

      sys.path.insert(0, sys.argv[1])
      from burn import burn

      for line in sys.stdin:
          value = line.rstrip("\\n").split("\\t")[-1]
          if value:
              print(burn(int(value)))
      """;
  private static final String TEST_DATA_DIR_PROPERTY = "test.build.data";

  private final MiniMRYarnCluster cluster;
  private final BenchContext ctx;
  private final Path mapper;
  private int runs;

  private StreamingPeer(MiniMRYarnCluster cluster, BenchContext ctx, Path mapper) {
    this.cluster = cluster;
    this.ctx = ctx;
    this.mapper = mapper;
  }

  /** Starts a MiniMRYarnCluster with its work directory under the benchmark's and the embedded HDFS as its FS. */
  static StreamingPeer start(BenchContext ctx) throws IOException {
    Path dir = ctx.workDir.resolve("mr");
    Files.createDirectories(dir);
    Path mapper = ctx.workDir.resolve("mapper.py");
    Files.writeString(mapper, MAPPER_SOURCE, StandardCharsets.UTF_8);
    MiniMRYarnCluster cluster;
    String previous = System.getProperty(TEST_DATA_DIR_PROPERTY);
    System.setProperty(TEST_DATA_DIR_PROPERTY, dir.toString());
    try {
      cluster = new MiniMRYarnCluster("bench-mr", 1);
    } finally {
      if (previous == null) {
        System.clearProperty(TEST_DATA_DIR_PROPERTY);
      } else {
        System.setProperty(TEST_DATA_DIR_PROPERTY, previous);
      }
    }
    Configuration conf = new YarnConfiguration();
    conf.set("fs.defaultFS", ctx.conf.get("fs.defaultFS"));
    // this JVM's classpath, once: MapReduce adds yarn.application.classpath (left at its default) beside it, and a
    // classpath that repeats itself overflows the kernel's limit on one environment variable
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.isBlank()).distinct().collect(Collectors.joining(","));
    conf.set(MRJobConfig.MAPREDUCE_APPLICATION_CLASSPATH, classpath);
    conf.setInt(YarnConfiguration.NM_PMEM_MB, 4096);
    conf.setInt(YarnConfiguration.YARN_MINICLUSTER_NM_PMEM_MB, 4096);
    conf.setInt(YarnConfiguration.NM_VCORES, 4);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 64);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.5f);
    conf.setLong(YarnConfiguration.NM_MIN_PER_DISK_FREE_SPACE_MB, 1);
    conf.setLong(YarnConfiguration.NM_PROCESS_KILL_WAIT_MS, 500);
    conf.setLong(YarnConfiguration.NM_SLEEP_DELAY_BEFORE_SIGKILL_MS, 100);
    conf.setInt(MRJobConfig.MR_AM_VMEM_MB, 512);
    conf.set(MRJobConfig.MR_AM_COMMAND_OPTS, "-Xmx384m");
    conf.setInt(MRJobConfig.MAP_MEMORY_MB, 256);
    conf.set(MRJobConfig.MAP_JAVA_OPTS, "-Xmx192m");
    cluster.init(conf);
    cluster.start();
    return new StreamingPeer(cluster, ctx, mapper);
  }

  /** Writes {@code n} lines as the jobs' input; returns its HDFS path. */
  org.apache.hadoop.fs.Path writeInput(int n) throws IOException {
    org.apache.hadoop.fs.Path input = new org.apache.hadoop.fs.Path("/bench/streaming/input-" + n + ".txt");
    FileSystem fs = input.getFileSystem(cluster.getConfig());
    try (Writer w = new OutputStreamWriter(fs.create(input, true), StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        w.write(i + "\n");
      }
    }
    return input;
  }

  /**
   * Runs one map-only streaming job over {@code input} with {@code linesPerMap} lines per map and reads every output
   * line; returns the seconds from submission until all {@code n} results were read.
   */
  double run(org.apache.hadoop.fs.Path input, int n, int linesPerMap) throws Exception {
    org.apache.hadoop.fs.Path output = new org.apache.hadoop.fs.Path("/bench/streaming/output-" + (++runs));
    Configuration conf = new Configuration(cluster.getConfig());
    String[] args = {
        "-D", MRJobConfig.NUM_REDUCES + "=0",
        "-D", "mapreduce.input.lineinputformat.linespermap=" + linesPerMap,
        "-D", MRJobConfig.JOB_NAME + "=bench-streaming-" + runs,
        "-inputformat", "org.apache.hadoop.mapred.lib.NLineInputFormat",
        "-input", input.toString(),
        "-output", output.toString(),
        "-mapper", ctx.python + " " + mapper + " " + ctx.workDir,
    };
    long start = System.nanoTime();
    int exit = ToolRunner.run(conf, new StreamJob(), args);
    if (exit != 0) {
      throw new IllegalStateException("Hadoop Streaming exited with " + exit + " (linesPerMap " + linesPerMap + ")");
    }
    long lines = 0;
    FileSystem fs = output.getFileSystem(conf);
    for (FileStatus part : fs.listStatus(output, p -> p.getName().startsWith("part-"))) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(part.getPath()),
          StandardCharsets.UTF_8))) {
        while (r.readLine() != null) {
          lines++;
        }
      }
    }
    double seconds = BenchContext.seconds(start);
    if (lines != n) {
      throw new IllegalStateException("Hadoop Streaming wrote " + lines + " results of " + n);
    }
    fs.delete(output, true);
    return seconds;
  }

  @Override
  public void close() {
    cluster.stop();
  }
}
