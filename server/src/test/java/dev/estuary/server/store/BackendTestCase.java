package dev.estuary.server.store;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/**
 * Base of the store tests that run once per {@link Backend}: subclasses are annotated
 * {@code @ParameterizedClass @EnumSource(Backend.class)}, and each test method starts with a fresh,
 * migrated, empty {@link #db}.
 */
abstract class BackendTestCase {

  @Parameter Backend backend;

  @TempDir Path tempDir;

  TestDatabase target;

  Database db;

  @BeforeEach
  void openFreshDatabase() {
    target = backend.create(tempDir);
    db = target.open();
  }

  @AfterEach
  void disposeDatabase() {
    try {
      if (db != null) {
        db.close();
      }
    } finally {
      target.close();
    }
  }
}
