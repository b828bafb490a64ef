package io.spool.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spool.cli.SpoolCli;
import io.spool.client.Blob;
import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import io.spool.core.model.JobStatus;
import io.spool.local.SpoolClusterExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The examples under {@code examples/}, run with their own files through the CLI and the Java API. */
@ExtendWith(SpoolClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class ExamplesTest {

  private static final Duration WAIT = Duration.ofMinutes(5);

  private Configuration conf;
  private Spool spool;
  private Path examples;
  private ClassLoader javaExamples;

  /** What one command printed and returned. */
  private record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    String describe() {
      return "exit " + exit + "\n" + out + err;
    }
  }

  @BeforeAll
  void setUp(Configuration clusterConf, @TempDir Path classes) throws Exception {
    conf = new Configuration(clusterConf);
    conf.setLong(SpoolConfig.MASTER_IDLE_EXIT_MS, 15_000);
    conf.setLong(SpoolConfig.EXECUTOR_IDLE_RELEASE_MS, 3_000);
    spool = Spool.connect(conf);
    examples = Paths.get("").toAbsolutePath().getParent().resolve("examples");
    assertTrue(Files.isDirectory(examples.resolve("hello")), "tests run from local/, examples are in " + examples);
    javaExamples = compile(classes, examples.resolve("serializable/NpyMatrix.java"),
        examples.resolve("java-pipeline/Pipeline.java"));
  }

  @AfterAll
  void close() {
    spool.close();
  }

  /** Compiles the examples' Java sources on the test classpath, as their run.sh does on bin/spool's. */
  private static ClassLoader compile(Path classes, Path... sources) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classpath, "-proc:none"));
    for (Path source : sources) {
      args.add(source.toString());
    }
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = javac.run(null, diagnostics, diagnostics, args.toArray(new String[0]));
    assertEquals(0, status, diagnostics::toString);
    return new URLClassLoader(new URL[] {classes.toUri().toURL()}, ExamplesTest.class.getClassLoader());
  }

  private Run spool(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SpoolCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), () -> Spool.connect(conf));
    return new Run(exit, out.toString(), err.toString());
  }

  /** Runs a command with {@code stdin} as its standard input, as a shell pipe into bin/spool would. */
  private Run spoolWithInput(byte[] stdin, String... args) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(stdin));
    try {
      return spool(args);
    } finally {
      System.setIn(saved);
    }
  }

  private String createFunction(String... args) {
    List<String> all = new ArrayList<>(List.of("function", "create"));
    all.addAll(List.of(args));
    Run create = spool(all.toArray(new String[0]));
    assertEquals(0, create.exit(), create.describe());
    return create.out().trim();
  }

  private JsonNode result(String jobId) throws Exception {
    Run result = spool("job", "result", jobId);
    assertEquals(0, result.exit(), result.describe());
    return Json.values().readTree(result.out());
  }

  private static String python(Path dir, String... args) throws Exception {
    return python(dir, null, args);
  }

  /** Runs {@code python3 args} in {@code dir} with {@code stdin} (or nothing) as input; returns what it printed. */
  private static String python(Path dir, Path stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    if (stdin != null) {
      builder.redirectInput(stdin.toFile());
    }
    Process p = builder.start();
    if (stdin == null) {
      p.getOutputStream().close();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python3 " + args[0] + " did not end");
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  private static String path(Path p) {
    return p.toString();
  }

  @Test
  void numpyListsFromAGeneratedJsonLinesStream() throws Exception {
    Path dir = examples.resolve("numpy-lists");
    String fid = createFunction(dir.resolve("arrays.py") + ":squares_and_roots", "--memory", "256Mi",
        "--maximum-concurrency", "4");
    byte[] lines = python(dir, "make_jobs.py", "20", "5").getBytes(StandardCharsets.UTF_8);
    Run submit = spoolWithInput(lines, "job", "submit", fid, "--file", "-");
    assertEquals(0, submit.exit(), submit.describe());
    List<String> ids = submit.lines();
    assertEquals(20, ids.size(), submit.out());
    List<String> wait = new ArrayList<>(List.of("job", "wait"));
    wait.addAll(ids);
    wait.addAll(List.of("--progress", "never", "--timeout", "300"));
    Run done = spool(wait.toArray(new String[0]));
    assertEquals(0, done.exit(), done.describe());
    assertTrue(done.out().endsWith("done: SUCCESS=20\n"), done.out());
    for (int i = 0; i < ids.size(); i++) {
      JsonNode value = result(ids.get(i));
      assertEquals(i, value.get("i").asInt());
      for (int k = 0; k < 5; k++) {
        assertEquals((long) i * k * k, value.get("squares").get(k).asLong(), value::toString);
        assertEquals(Math.sqrt(k + i), value.get("roots").get(k).asDouble(), 0.0, value::toString);
      }
    }
  }

  @Test
  void tilesAreRetriedRerunAndTheirHistogramsAddUp(@TempDir Path markers) throws Exception {
    Path dir = examples.resolve("tiles");
    String fid = createFunction(dir.resolve("tiles.py") + ":histogram", "--memory", "256Mi",
        "--maximum-concurrency", "4", "--retry-count", "1");
    String jobs = IntStream.rangeClosed(1, 30).mapToObj(t -> "[" + t + ", \"" + markers + "\"]\n")
        .collect(Collectors.joining());
    Run submit = spoolWithInput(jobs.getBytes(StandardCharsets.UTF_8), "job", "submit", fid, "--file", "-",
        "--tag", "tiles", "--wait", "--progress", "never", "--timeout", "300");
    assertEquals(SpoolCli.EXIT_JOBS_FAILED, submit.exit(), submit.describe());
    assertTrue(submit.out().endsWith("done: SUCCESS=28 FAILURE=2\n"), submit.out());

    Map<Integer, JsonNode> first = jobsByTile(fid);
    for (int tile = 1; tile <= 30; tile++) {
      JsonNode job = first.get(tile);
      boolean twice = tile % 11 == 0;
      assertEquals(twice ? "FAILURE" : "SUCCESS", job.get("status").asText(), job::toString);
      int expected = tile % 7 == 0 || twice ? 2 : 1;
      assertEquals(expected, job.get("executionCount").asInt(), "executions of tile " + tile);
    }
    assertTrue(first.get(11).get("errorReason").asText().contains("attempt 2 failed"), first.get(11)::toString);

    Run rerun = spool("job", "rerun", "--function", fid, "--status", "FAILURE");
    assertEquals(0, rerun.exit(), rerun.describe());
    Run wait = spool("function", "wait", fid, "--progress", "never", "--timeout", "300");
    assertEquals(0, wait.exit(), wait.describe());
    Map<Integer, JsonNode> after = jobsByTile(fid);
    assertEquals(3, after.get(11).get("executionCount").asInt());
    assertEquals(3, after.get(22).get("executionCount").asInt());
    assertEquals("SUCCESS", after.get(22).get("status").asText());

    StringBuilder results = new StringBuilder();
    long[] sum = new long[16];
    for (int tile = 1; tile <= 30; tile++) {
      JsonNode value = result(fid + "-" + tile);
      assertEquals(tile, value.get("tile").asInt());
      for (int b = 0; b < 16; b++) {
        sum[b] += value.get("counts").get(b).asLong();
      }
      results.append(Json.values().writeValueAsString(value)).append('\n');
    }
    Path resultsFile = markers.resolve("results.jsonl");
    Files.writeString(resultsFile, results);
    String aggregate = python(dir, resultsFile, "aggregate.py", "--expect", "1", "30");
    assertTrue(aggregate.contains("matches the local computation of tiles 1..30"), aggregate);
    JsonNode printed = Json.values().readTree(aggregate.lines().findFirst().orElseThrow());
    assertEquals(30, printed.get("tiles").asInt());

    String independent = python(dir, "-c", "import numpy as np\n"
        + "total = sum(np.histogram(np.random.default_rng(t).integers(0, 256, size=(256, 256)), bins=16,"
        + " range=(0, 256))[0] for t in range(1, 31))\n"
        + "print(' '.join(str(int(c)) for c in total))");
    long[] expected = java.util.Arrays.stream(independent.trim().split(" ")).mapToLong(Long::parseLong).toArray();
    assertEquals(256L * 256 * 30, java.util.Arrays.stream(expected).sum());
    for (int b = 0; b < 16; b++) {
      assertEquals(expected[b], sum[b], "bin " + b + " of the results' sum");
      assertEquals(expected[b], printed.get("counts").get(b).asLong(), "bin " + b + " of aggregate.py");
    }
  }

  private Map<Integer, JsonNode> jobsByTile(String fid) throws Exception {
    Run list = spool("job", "list", fid, "--tag", "tiles", "--json");
    assertEquals(0, list.exit(), list.describe());
    Map<Integer, JsonNode> byTile = new HashMap<>();
    for (JsonNode job : Json.values().readTree(list.out())) {
      String id = job.get("id").asText();
      byTile.put(Integer.parseInt(id.substring(id.lastIndexOf('-') + 1)), job);
    }
    assertEquals(30, byTile.size(), list.out());
    return byTile;
  }

  @Test
  void packageWithDataAndARequirementRunsByQualifiedName() throws Exception {
    String fid = createFunction("geo_tools.regions.describe", "--python-path",
        path(examples.resolve("package/src")), "--include-module", "geo_tools", "--include-data",
        "geo_tools/data/*.json", "--requirement", "idna==3.20", "--memory", "256Mi");
    Run submit = spool("job", "submit", fid, "\"bayern\"", "\"zürich\"", "--wait", "--progress", "never",
        "--timeout", "400");
    assertEquals(0, submit.exit(), submit.describe() + spool("function", "build-log", fid).out());
    JsonNode bayern = result(fid + "-1");
    assertEquals(70550.19, bayern.get("area_km2").asDouble(), 0.0, "read from data/regions.json");
    assertEquals(27239.581, bayern.get("area_mi2").asDouble(), 0.0, "computed by the units module");
    assertEquals("xn--mnchen-3ya.example", bayern.get("domain").asText());
    assertEquals("3.20", bayern.get("idna").asText(), "the pinned requirement");
    JsonNode zurich = result(fid + "-2");
    assertEquals("xn--zrich-kva.example", zurich.get("domain").asText());
    assertEquals(1729.0, zurich.get("area_km2").asDouble(), 0.0);
    assertTrue(spool("function", "build-log", fid).out().contains("idna==3.20"));
  }

  @Test
  void cythonModuleIsCompiledByTheBuild() throws Exception {
    String fid = createFunction("kernels.run.sum_of_squares", "--python-path", path(examples.resolve("cython/src")),
        "--include-module", "kernels", "--memory", "256Mi");
    Run submit = spool("job", "submit", fid, "1000", "1000000", "--wait", "--progress", "never", "--timeout",
        "500");
    assertEquals(0, submit.exit(), submit.describe() + spool("function", "build-log", fid).out());
    JsonNode small = result(fid + "-1");
    assertEquals(332_833_500L, small.get("sum").asLong());
    assertTrue(small.get("compiled").asBoolean(), "kernels.fast came from the compiled extension");
    assertEquals(333_332_833_333_500_000L, result(fid + "-2").get("sum").asLong());
  }

  @Test
  void npyBytesFromSerializeAreReadInJavaByTheExamplesDeserializer(@TempDir Path dir) throws Exception {
    Class<?> npyMatrix = javaExamples.loadClass("NpyMatrix");
    Function grid = Function.builder(spool, examples.resolve("serializable/grid.py") + ":grid").memory("256Mi")
        .build().save();
    Job job = grid.call(3, 4);
    assertEquals(JobStatus.SUCCESS, job.waitForCompletion(WAIT), () -> job.errorReason() + "\n" + job.log());
    assertEquals("grid.NpyArray", job.resultBlob().orElseThrow().serializer().orElseThrow());

    Object matrix = job.result(npyMatrix);
    assertEquals(3, npyMatrix.getMethod("rows").invoke(matrix));
    assertEquals(4, npyMatrix.getMethod("cols").invoke(matrix));
    Method get = npyMatrix.getMethod("get", int.class, int.class);
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        assertEquals(r + c / 10.0, (double) get.invoke(matrix, r, c), 1e-12, "(" + r + ", " + c + ")");
      }
    }
    assertEquals("3x4 float64, sum 13.8, last 2.3", matrix.toString());

    Path file = dir.resolve("grid.npy");
    Run blob = spool("blob", "get", grid.id() + "/" + job.id(), "-o", file.toString());
    assertEquals(0, blob.exit(), blob.describe());
    Object fromFile = npyMatrix.getMethod("deserialize", byte[].class).invoke(null, (Object) Files.readAllBytes(file));
    assertEquals(matrix.toString(), fromFile.toString());
  }

  @Test
  void computeResultMetadataIsSearchableByTag() throws Exception {
    Path survey = examples.resolve("compute-result/survey.py");
    String fid = createFunction(survey + ":survey", "--memory", "256Mi", "--maximum-concurrency", "2");
    Run submit = spool("job", "submit", fid, "[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]", "--wait", "--progress", "never",
        "--timeout", "300");
    assertEquals(0, submit.exit(), submit.describe());

    Run row1 = spool("blob", "list", "--function", fid, "--tag", "survey", "--tag", "row-1", "--json");
    assertEquals(0, row1.exit(), row1.describe());
    List<String> names = new ArrayList<>();
    Json.values().readTree(row1.out()).forEach(b -> names.add(b.get("name").asText()));
    assertEquals(List.of(fid + "/" + fid + "-3", fid + "/" + fid + "-4"), names.stream().sorted().toList());
    assertEquals(4, Blob.search(spool).functionId(fid).tags("survey").list().size());

    Blob cell = Blob.search(spool).functionId(fid).tags("row-1").list().stream()
        .filter(b -> b.jobId().equals(fid + "-4")).findFirst().orElseThrow();
    assertEquals("survey of cell 1,1", cell.description().orElseThrow());
    assertEquals(List.of("survey", "row-1"), cell.tags());
    assertEquals(Map.of("row", 1, "col", 1, "trees", 11), cell.extraProperties());
    JsonNode geometry = cell.geometry().orElseThrow();
    assertEquals("Polygon", geometry.get("type").asText());
    assertEquals("[[[1,1],[2,1],[2,2],[1,2],[1,1]]]", geometry.get("coordinates").toString());
    assertEquals(Map.of("row", 1, "col", 1, "trees", 11), Json.values().readValue(cell.data(), Map.class));
  }

  @Test
  void scratchFilesAreGoneAfterTheJob() throws Exception {
    String fid = createFunction(examples.resolve("scratch/scratch.py") + ":fill", "--memory", "256Mi");
    Run submit = spool("job", "submit", fid, "16", "--wait", "--progress", "never", "--timeout", "300");
    assertEquals(0, submit.exit(), submit.describe());
    JsonNode value = result(fid + "-1");
    assertEquals(16L * 1024 * 1024, value.get("bytes").asLong());
    assertTrue(value.get("in_tmpdir").asBoolean(), value::toString);
    Path file = Paths.get(value.get("path").asText());
    assertTrue(file.isAbsolute(), value::toString);
    assertFalse(Files.exists(file), "the scratch file is deleted with its attempt");
    assertFalse(Files.exists(Paths.get(value.get("tmpdir").asText())), "and so is the job's TMPDIR");
    assertTrue(spool("job", "log", fid + "-1").out().contains("wrote 16 MiB to " + file));
  }

  @Test
  void javaPipelineMapsTakesAsCompletedAndAddsUpTheResults() throws Exception {
    Class<?> pipeline = javaExamples.loadClass("Pipeline");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Object total;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      total = pipeline.getMethod("run", Spool.class, Path.class, PrintStream.class)
          .invoke(null, spool, examples.resolve("java-pipeline/words.py"), out);
    }
    String output = printed.toString(StandardCharsets.UTF_8);
    assertEquals(22, total, output);
    assertEquals(5, output.lines().filter(l -> l.startsWith("ended ") && l.endsWith(" SUCCESS")).count(), output);
    assertTrue(output.contains("6 words, longest 'functions': results outlive their jobs and functions"), output);
    assertTrue(output.endsWith("total 22 words in 5 jobs\n"), output);
  }

  @Test
  void schedulerFilesAreValid(@TempDir Path dir) throws Exception {
    python(examples.resolve("airflow"), "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], "
        + "cfile=sys.argv[2], doraise=True)", "spool_tiles_dag.py", dir.resolve("dag.pyc").toString());
    String dag = Files.readString(examples.resolve("airflow/spool_tiles_dag.py"));
    assertTrue(dag.contains("skip_on_exit_code=1") && dag.contains("--wait"), "the DAG acts on the wait's exit code");

    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document workflow = factory.newDocumentBuilder().parse(examples.resolve("oozie/workflow.xml").toFile());
    NodeList actions = workflow.getElementsByTagNameNS("uri:oozie:workflow:1.0", "java");
    assertEquals(3, actions.getLength());
    for (int i = 0; i < actions.getLength(); i++) {
      Element java = (Element) actions.item(i);
      assertEquals(SpoolCli.class.getName(),
          java.getElementsByTagNameNS("uri:oozie:workflow:1.0", "main-class").item(0).getTextContent());
    }
    Element submit = (Element) actions.item(0);
    List<String> args = new ArrayList<>();
    NodeList argNodes = submit.getElementsByTagNameNS("uri:oozie:workflow:1.0", "arg");
    for (int i = 0; i < argNodes.getLength(); i++) {
      args.add(argNodes.item(i).getTextContent());
    }
    assertEquals(List.of("job", "submit"), args.subList(0, 2));
    assertTrue(args.contains("--wait"), args::toString);
  }

  @Test
  void everyExampleHasAReadmeAndItsScriptsAreExecutable() throws Exception {
    for (String name : List.of("hello", "numpy-lists", "tiles", "package", "cython", "serializable", "compute-result",
        "scratch", "java-pipeline", "oozie", "airflow")) {
      Path dir = examples.resolve(name);
      assertTrue(Files.isRegularFile(dir.resolve("README.md")), name);
      File script = dir.resolve("run.sh").toFile();
      assertTrue(!script.exists() || script.canExecute(), name + "/run.sh is executable");
    }
  }
}
