package io.spool.client.internal;

import static io.spool.client.internal.BundleFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequirementsTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "numpy                                                | numpy",
      "Django                                               | Django",
      "pandas[parquet, s3] >= 2.0 , < 3                     | pandas[parquet,s3]>=2.0,<3",
      "scipy ~= 1.11                                        | scipy~=1.11",
      "requests (>=2.28, !=2.29.0)                          | requests>=2.28,!=2.29.0",
      "numpy==1.26.*                                        | numpy==1.26.*",
      "torch==2.1.0+cpu                                     | torch==2.1.0+cpu",
      "black>=23.1b0                                        | black>=23.1b0",
      "legacy===1.0-weird_build                             | legacy===1.0-weird_build",
      "zope.interface>5                                     | zope.interface>5",
      "tomli; python_version < '3.11'                       | tomli; python_version < \"3.11\"",
      "pywin32>=300;sys_platform=='win32' and (platform_machine!='arm64' or extra == \"x\") "
          + "| pywin32>=300; sys_platform == \"win32\" and (platform_machine != \"arm64\" or extra == \"x\")",
      "mylib @ https://example.com/mylib-1.0-py3-none-any.whl | mylib @ https://example.com/mylib-1.0-py3-none-any.whl",
      "mylib[x]@https://h/p.whl ; os_name not in 'nt'       | mylib[x] @ https://h/p.whl ; os_name not in \"nt\"",
      "numpy  # fast arrays                                 | numpy",
      "-i https://pypi.example/simple                       | --index-url https://pypi.example/simple",
      "--index-url=https://pypi.example/simple              | --index-url https://pypi.example/simple",
      "--extra-index-url https://extra.example/simple       | --extra-index-url https://extra.example/simple",
      "-f https://wheels.example/                           | --find-links https://wheels.example/",
      "--find-links=/opt/wheels                             | --find-links /opt/wheels",
      "--pre                                                | --pre",
      "--no-binary :all:                                    | --no-binary :all:",
      "--only-binary numpy,scipy                            | --only-binary numpy,scipy",
      "--trusted-host pypi.internal:8080                    | --trusted-host pypi.internal:8080",
  })
  void validLinesAreNormalized(String line, String normalized) {
    assertEquals(List.of(normalized), Requirements.fromLines(List.of(line)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "numpy===          | expected a version after '===' at the end",
      "-e .              | editable installs (-e) are not supported",
      "-r other.txt      | nested requirements files (-r) are not supported",
      "pandas>>1         | '>>' is not a version operator",
      "geo pandas        | unexpected 'pandas' after 'geo'",
      "numpy==1.2.x      | '1.2.x' is not a version for '=='",
      "scipy~=1          | '1' is not a version for '~='",
      "numpy>=1.*        | '1.*' is not a version for '>='",
      "numpy>=1.0 <2     | unexpected '<2'",
      "numpy; pyver > '3'| 'pyver' is not a marker variable",
      "numpy; os_name == | expected a marker variable",
      "pkg @ not-a-url   | 'not-a-url' is not a URL",
      "--hash=sha256:ab  | the pip option --hash is not allowed",
      "--index-url       | --index-url needs a value",
      "--pre now         | --pre takes no value",
      "./local/pkg       | expected a package name",
  })
  void invalidLinesAreRefusedWithTheirNumberAndTheValidForm(String line, String reason) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Requirements.fromLines(List.of("numpy", "# a comment", line)));

    assertTrue(e.getMessage().startsWith("requirements line 3 '" + line.strip() + "': "), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertTrue(e.getMessage().endsWith("; " + Requirements.VALID_LINE), e.getMessage());
  }

  @Test
  void fileWithCommentsBlankLinesAndContinuationsIsRead() throws IOException {
    Path file = write(dir, "requirements.txt", String.join("\n",
        "\uFEFF# numerical stack",
        "numpy>=1.24,\\",
        "    <2   # upper bound",
        "",
        "   ",
        "--index-url https://mirror.example/simple",
        "pandas \\",
        "  [parquet] \\",
        "# a comment ends a continued line",
        "requests # http",
        ""));

    assertEquals(List.of("numpy>=1.24,<2", "--index-url https://mirror.example/simple", "pandas[parquet]",
        "requests"), Requirements.fromFile(file));
  }

  @Test
  void errorInAFileNamesTheFileAndTheFirstLineOfTheContinuedLine() throws IOException {
    Path file = write(dir, "requirements.txt", "numpy\n\npandas>=1,\\\n  >>2\n");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Requirements.fromFile(file));

    assertTrue(e.getMessage().startsWith("requirements file " + file + ", line 3 'pandas>=1,  >>2': "),
        e.getMessage());
  }

  @Test
  void missingRequirementsFileIsAnErrorNamingIt() {
    Path missing = dir.resolve("missing-requirements.txt");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Requirements.fromFile(missing));

    assertEquals("requirements file " + missing + " does not exist", e.getMessage());
  }
}
