package dev.sluice.ingress.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The methods of Python's {@code str} that Hugging Face chat templates call on message content —
 * {@code content.startswith('<tool_response>')}, {@code content.split('</think>')[-1].lstrip('\n')}
 * (Qwen3) — which Jinja2 gets from Python and Jinjava does not have. Registered ahead of Jinjava's own
 * resolvers, it answers only method calls on a {@link String} whose name is one of {@link #METHODS};
 * everything else falls through. Semantics follow Python: {@code strip()} without an argument strips
 * whitespace, with one strips any of its characters; {@code split()} without a separator splits on runs
 * of whitespace; {@code startswith} takes a string or a tuple (a list here) of strings.
 */
final class PythonStringMethods extends ELResolver {
  static final Set<String> METHODS = Set.of("startswith", "endswith", "strip", "lstrip", "rstrip", "split", "upper",
      "lower", "title", "capitalize", "replace", "find", "count", "join", "isspace");

  @Override
  public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof String s) || method == null || !METHODS.contains(method.toString())) {
      return null;
    }
    Object[] p = params == null ? new Object[0] : params;
    Object result = call(s, method.toString(), p);
    context.setPropertyResolved(true);
    return result;
  }

  static Object call(String s, String method, Object[] p) {
    return switch (method) {
      case "startswith" -> anyOf(p[0]).stream().anyMatch(s::startsWith);
      case "endswith" -> anyOf(p[0]).stream().anyMatch(s::endsWith);
      case "strip" -> rstrip(lstrip(s, chars(p)), chars(p));
      case "lstrip" -> lstrip(s, chars(p));
      case "rstrip" -> rstrip(s, chars(p));
      case "split" -> split(s, p.length > 0 ? (String) p[0] : null, p.length > 1 ? ((Number) p[1]).intValue() : -1);
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "lower" -> s.toLowerCase(Locale.ROOT);
      case "title" -> title(s);
      case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
      case "replace" -> replace(s, (String) p[0], (String) p[1], p.length > 2 ? ((Number) p[2]).intValue() : -1);
      case "find" -> (long) s.indexOf((String) p[0]);
      case "count" -> (long) count(s, (String) p[0]);
      case "join" -> join(s, p[0]);
      case "isspace" -> !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
      default -> throw new IllegalArgumentException("no str method " + method);
    };
  }

  private static List<String> anyOf(Object prefixes) {
    if (prefixes instanceof Collection<?> c) {
      return c.stream().map(String::valueOf).toList();
    }
    return List.of(String.valueOf(prefixes));
  }

  /** The characters to strip, or null for whitespace. */
  private static String chars(Object[] p) {
    return p.length == 0 || p[0] == null ? null : p[0].toString();
  }

  private static boolean strippable(char c, String chars) {
    return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
  }

  private static String lstrip(String s, String chars) {
    int i = 0;
    while (i < s.length() && strippable(s.charAt(i), chars)) i++;
    return s.substring(i);
  }

  private static String rstrip(String s, String chars) {
    int i = s.length();
    while (i > 0 && strippable(s.charAt(i - 1), chars)) i--;
    return s.substring(0, i);
  }

  private static List<String> split(String s, String sep, int maxSplit) {
    List<String> parts = new ArrayList<>();
    if (sep == null) { // runs of whitespace, no empty parts
      String rest = lstrip(s, null);
      while (!rest.isEmpty()) {
        int end = 0;
        while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) end++;
        if (maxSplit >= 0 && parts.size() == maxSplit) {
          parts.add(rstrip(rest, null));
          break;
        }
        parts.add(rest.substring(0, end));
        rest = lstrip(rest.substring(end), null);
      }
      return parts;
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
    int from = 0;
    int at;
    while ((maxSplit < 0 || parts.size() < maxSplit) && (at = s.indexOf(sep, from)) >= 0) {
      parts.add(s.substring(from, at));
      from = at + sep.length();
    }
    parts.add(s.substring(from));
    return parts;
  }

  private static String replace(String s, String old, String replacement, int count) {
    if (count < 0) {
      return s.replace(old, replacement);
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    int at;
    for (int n = 0; n < count && (at = s.indexOf(old, from)) >= 0; n++) {
      out.append(s, from, at).append(replacement);
      from = at + old.length();
      if (old.isEmpty()) break;
    }
    return out.append(s.substring(from)).toString();
  }

  private static int count(String s, String sub) {
    if (sub.isEmpty()) return s.length() + 1;
    int n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
    return n;
  }

  private static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean previousCased = false;
    for (char c : s.toCharArray()) {
      out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
      previousCased = Character.isLetter(c);
    }
    return out.toString();
  }

  private static String join(String separator, Object items) {
    List<String> parts = new ArrayList<>();
    if (items instanceof Iterable<?> it) {
      it.forEach(x -> parts.add(String.valueOf(x)));
    } else {
      parts.add(String.valueOf(items));
    }
    return String.join(separator, parts);
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
