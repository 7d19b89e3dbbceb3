package dev.outbox.console;

import dev.outbox.OutboxTables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pieces every page is built of, from the templates in {@code common.html}: the layout, forms
 * and buttons (with the CSRF token), the confirmation, result and error pages. Thread-safe.
 */
final class Views {
  private static final Map<String, Template> T = Template.load("common.html");

  private final boolean writeAccess;
  private final String csrf;
  private final String tables;

  Views(boolean writeAccess, String csrf, OutboxTables tables) {
    this.writeAccess = writeAccess;
    this.csrf = csrf;
    this.tables = (tables.schema() == null ? "" : tables.schema() + ".") + tables.table();
  }

  boolean writeAccess() {
    return writeAccess;
  }

  String csrf() {
    return csrf;
  }

  /** A whole page: navigation and {@code main}. */
  String layout(String base, String title, Html.Safe main) {
    return T.get("layout")
        .render(
            "title", title,
            "base", base,
            "mode", writeAccess ? "write access" : "read-only",
            "tables", tables,
            "main", main)
        .html();
  }

  /** A one-button POST form (the action's first step, which asks for confirmation). */
  Html.Safe button(
      String base, String action, Map<String, String> fields, String label, String cssClass) {
    List<Html.Safe> hidden = new ArrayList<>();
    fields.forEach((name, value) -> hidden.add(hidden(name, value)));
    return T.get("button")
        .render(
            "action", base + action,
            "csrf", csrf,
            "fields", Html.join(hidden),
            "label", label,
            "cssClass", cssClass);
  }

  /** A row of buttons. */
  Html.Safe actions(Html.Safe... buttons) {
    return T.get("actions").render("buttons", Html.join(List.of(buttons)));
  }

  static Html.Safe hidden(String name, String value) {
    return T.get("hidden").render("name", name, "value", value);
  }

  static Html.Safe input(String name, String label, String value) {
    return T.get("input").render("name", name, "label", label, "value", value);
  }

  static Html.Safe link(String href, Object text) {
    return T.get("link").render("href", href, "text", text);
  }

  static Html.Safe keyLink(String base, String key) {
    return key == null
        ? new Html.Safe("–")
        : link(Html.href(base + "/key", Map.of("key", key)), key);
  }

  static Html.Safe row(String name, Object value) {
    return T.get("detail-row").render("name", name, "value", value);
  }

  static Html.Safe pre(String text) {
    return T.get("pre").render("text", text);
  }

  /** The "are you sure" page: a form that posts the same fields again, confirmed. */
  String confirm(
      Call call,
      String title,
      Html.Safe explain,
      Html.Safe extra,
      String verb,
      Set<String> visible,
      boolean dryRun) {
    List<Html.Safe> fields = new ArrayList<>();
    call.params()
        .asMap()
        .forEach(
            (name, values) -> {
              if (!name.equals(ConsoleSecurity.CSRF_FIELD)
                  && !name.equals("confirmed")
                  && !visible.contains(name)) {
                values.forEach(v -> fields.add(hidden(name, v)));
              }
            });
    Html.Safe page =
        T.get("confirm")
            .render(
                "title", title,
                "explain", explain,
                "note", dryRun ? T.get("dry-run-note").render() : Html.Safe.EMPTY,
                "action", call.base() + call.path(),
                "fields", Html.join(fields),
                "csrf", csrf,
                "extra", extra,
                "verb", verb,
                "cancel", call.back());
    return layout(call.base(), title, page);
  }

  /** The page after an action: {@code message} and a link to {@code next} (under the base). */
  String done(Call call, String message, String next) {
    Html.Safe page =
        T.get("message").render("title", "Done", "message", message, "back", call.base() + next);
    return layout(call.base(), "Done", page);
  }

  /** The page when an action finds nothing to do, with a link back. */
  String nothing(Call call, String message) {
    Html.Safe page =
        T.get("message").render("title", "Nothing to do", "message", message, "back", call.back());
    return layout(call.base(), "Nothing to do", page);
  }

  String error(String base, int status, String message) {
    return layout(
        base, "Error " + status, T.get("error").render("status", status, "message", message));
  }
}
