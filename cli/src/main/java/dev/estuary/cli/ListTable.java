package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Function;

/**
 * What a {@code list} command prints: a header line, then one line for each element of the admin
 * API's JSON array, both in one {@code printf} format, on stdout.
 */
final class ListTable {
  private ListTable() {}

  /**
   * @param format the columns' {@code printf} format, ending in {@code %n}
   * @param header the columns' names
   * @param rows the admin API's answer (an array)
   * @param columns one element's values, in the header's order
   */
  static void print(
      String format, String[] header, JsonNode rows, Function<JsonNode, Object[]> columns) {
    System.out.printf(format, (Object[]) header);
    for (JsonNode row : rows) {
      System.out.printf(format, columns.apply(row));
    }
  }
}
