package dev.estuary.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fenced code blocks of a Markdown document, by section: so a test runs the document's own
 * text.
 */
final class MarkdownBlocks {
  private record Block(String section, String language, String text) {}

  private final Path file;
  private final List<Block> blocks;

  private MarkdownBlocks(Path file, List<Block> blocks) {
    this.file = file;
    this.blocks = blocks;
  }

  static MarkdownBlocks of(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Block> blocks = new ArrayList<>();
    String section = "";
    String language = null;
    StringBuilder text = null;
    for (String line : lines) {
      if (text == null && line.startsWith("## ")) {
        section = line;
      } else if (text == null && line.startsWith("```")) {
        language = line.substring(3).strip();
        text = new StringBuilder();
      } else if (text != null && line.startsWith("```")) {
        blocks.add(new Block(section, language, text.toString()));
        text = null;
      } else if (text != null) {
        text.append(line).append('\n');
      }
    }
    return new MarkdownBlocks(file, List.copyOf(blocks));
  }

  /**
   * The {@code index}th block in {@code language} under the section whose heading starts with
   * {@code sectionPrefix}.
   */
  String block(String sectionPrefix, String language, int index) {
    List<Block> found =
        blocks.stream()
            .filter(b -> b.section().startsWith(sectionPrefix) && b.language().equals(language))
            .toList();
    if (index >= found.size()) {
      throw new AssertionError(
          file
              + " has no "
              + language
              + " block #"
              + index
              + " under '"
              + sectionPrefix
              + "' ("
              + found.size()
              + " there)");
    }
    return found.get(index).text();
  }

  /**
   * The one block in {@code language} under the section whose heading starts with {@code
   * sectionPrefix} that contains {@code text}: a block found by what it does, not by its place.
   */
  String blockContaining(String sectionPrefix, String language, String text) {
    List<Block> found =
        blocks.stream()
            .filter(
                b ->
                    b.section().startsWith(sectionPrefix)
                        && b.language().equals(language)
                        && b.text().contains(text))
            .toList();
    if (found.size() != 1) {
      throw new AssertionError(
          file
              + " has "
              + found.size()
              + " "
              + language
              + " blocks containing '"
              + text
              + "' under '"
              + sectionPrefix
              + "'; one expected");
    }
    return found.getFirst().text();
  }
}
