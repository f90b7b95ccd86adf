// The customer-list page: upload a list, show the analysis at its private link, delete it.
// Every value is inserted as text (never as HTML): the names come from the user's file.
(function () {
  "use strict";
  var MAX_ROWS = 500;
  var FRAMEWORKS = ["value_matrix", "pyramid", "key_classes", "loyalty"];
  var form = document.getElementById("portfolio-form");
  var status = document.getElementById("portfolio-status");
  var section = document.getElementById("portfolio-result");

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] === undefined || values[key] === null ? "" : values[key];
    });
  }

  function say(text) {
    status.textContent = text;
  }

  function errorOf(response) {
    return response.json().then(
      function (body) { return body.error || response.statusText; },
      function () { return response.statusText; }
    );
  }

  function render(result) {
    section.hidden = false;
    form.hidden = true;
    say("");
    var api = "/api/portfolio/" + result.id;
    document.getElementById("portfolio-csv").href = api + "/export.csv";
    document.getElementById("portfolio-xlsx").href = api + "/export.xlsx";
    document.getElementById("portfolio-link").textContent = location.origin + result.url;
    var mapping = document.getElementById("portfolio-mapping");
    mapping.replaceChildren();
    Object.keys(result.mapping.mapped).forEach(function (field) {
      mapping.appendChild(el("li", (result.field_labels[field] || field) + " ← " + result.mapping.mapped[field]));
    });
    result.mapping.notes.forEach(function (note) { mapping.appendChild(el("li", note)); });
    var unmapped = document.getElementById("portfolio-unmapped");
    unmapped.textContent = result.mapping.unmapped.length
      ? unmapped.dataset.label + result.mapping.unmapped.join("、") : "";
    renderCorrection(result);
    var pareto = document.getElementById("portfolio-pareto");
    pareto.textContent = result.pareto.share_for_80 === null ? pareto.dataset.none
      : fill(pareto.dataset.text, Object.assign({ column: result.rank_column }, result.pareto));
    var strategies = document.getElementById("portfolio-strategies");
    strategies.replaceChildren();
    result.strategies.forEach(function (item) {
      var block = el("details");
      block.appendChild(el("summary", item.name + "（" + item.customers.length + "）"));
      if (item.strategy) block.appendChild(el("p", item.strategy));
      block.appendChild(el("p", item.customers.join("、")));
      strategies.appendChild(block);
    });
    var body = document.querySelector("#portfolio-table tbody");
    body.replaceChildren();
    result.customers.slice(0, MAX_ROWS).forEach(function (customer) {
      var row = el("tr");
      [customer.row, customer.name, customer.rank].forEach(function (v) { row.appendChild(el("td", v)); });
      FRAMEWORKS.forEach(function (id) { row.appendChild(el("td", customer.classes[id])); });
      row.appendChild(el("td", customer.basis.join(" ")));
      row.appendChild(el("td", customer.notes.join("；")));
      body.appendChild(row);
    });
    var shown = document.getElementById("portfolio-shown");
    shown.textContent = result.customers.length > MAX_ROWS ? fill(shown.dataset.text, { shown: MAX_ROWS }) : "";
    document.getElementById("portfolio-delete").onclick = function () {
      fetch(api, { method: "DELETE" }).then(function (response) {
        if (!response.ok) return errorOf(response).then(say);
        section.hidden = true;
        form.hidden = false;
        history.replaceState(null, "", "/portfolio");
        say(status.dataset.deleted);
      });
    };
  }

  // One select per field: the header the user says holds it, or none.
  function renderCorrection(result) {
    var box = document.getElementById("portfolio-columns");
    box.replaceChildren();
    Object.keys(result.field_labels).forEach(function (field) {
      var label = el("label", result.field_labels[field]);
      var select = el("select");
      select.name = field;
      select.appendChild(el("option", box.dataset.none));
      select.firstChild.value = "";
      result.mapping.header.forEach(function (title) {
        if (!title) return;
        var option = el("option", title);
        option.value = title;
        option.selected = result.mapping.mapped[field] === title;
        select.appendChild(option);
      });
      label.appendChild(select);
      box.appendChild(label);
    });
    var button = document.getElementById("portfolio-reanalyse");
    button.onclick = function () {
      if (!document.getElementById("portfolio-file").files.length) {
        form.hidden = false;
        return say(button.dataset.needFile);
      }
      var columns = {};
      box.querySelectorAll("select").forEach(function (select) {
        columns[select.name] = select.value || null;
      });
      var body = new FormData(form);
      body.append("columns", JSON.stringify(columns));
      // The earlier analysis is replaced: it is deleted once the new one exists.
      upload(body, "/api/portfolio/" + result.id);
    };
  }

  function upload(body, replaced) {
    say(status.dataset.working);
    fetch("/api/portfolio", { method: "POST", body: body }).then(function (response) {
      if (!response.ok) return errorOf(response).then(say);
      return response.json().then(function (result) {
        if (replaced) fetch(replaced, { method: "DELETE" });
        history.pushState(null, "", result.url);
        render(result);
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    upload(new FormData(form), null);
  });

  var match = location.pathname.match(/^\/portfolio\/([A-Za-z0-9_-]+)$/);
  if (match) {
    form.hidden = true;
    say(status.dataset.loading);
    fetch("/api/portfolio/" + match[1]).then(function (response) {
      if (!response.ok) {
        form.hidden = false;
        return errorOf(response).then(say);
      }
      return response.json().then(render);
    });
  }
})();
