package dev.tessera.agent.get;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a line of options into words as a POSIX shell would, without expansions: blanks separate
 * words; {@code '...'} keeps everything literally; {@code "..."} keeps everything but {@code \"},
 * {@code \\}, {@code \$} and {@code \`}, which lose their backslash; outside quotes a backslash keeps the
 * next character. What {@code TESSERA_GET_OPTS} is read with (like htgettoken's {@code HTGETTOKENOPTS}).
 */
public final class ShellWords {
    private ShellWords() {
    }

    /**
     * The words of {@code line}.
     *
     * @throws IllegalArgumentException for an unterminated quote or a trailing backslash
     */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i++);
            if (c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '\'') {
                int end = line.indexOf('\'', i);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated ' quote");
                }
                word.append(line, i, end);
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(line, i, word);
            } else if (c == '\\') {
                if (i == line.length()) {
                    throw new IllegalArgumentException("a backslash ends the line");
                }
                word.append(line.charAt(i++));
            } else {
                word.append(c);
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends the double-quoted text starting at {@code i}; returns the index after the closing quote. */
    private static int doubleQuoted(String line, int i, StringBuilder word) {
        while (i < line.length()) {
            char c = line.charAt(i++);
            if (c == '"') {
                return i;
            }
            if (c == '\\' && i < line.length() && "\"\\$`".indexOf(line.charAt(i)) >= 0) {
                c = line.charAt(i++);
            }
            word.append(c);
        }
        throw new IllegalArgumentException("unterminated \" quote");
    }
}
