// The customer-list page: upload a list, confirm the columns when their recognition is unsure,
// show the analysis (table and ECharts figures) at its private link, print it, delete it.
// Every value is inserted as text (never as HTML): the names come from the user's file.
(function () {
  "use strict";
  var MAX_ROWS = 500;
  var FRAMEWORKS = ["value_matrix", "pyramid", "key_classes", "loyalty"];
  // The value matrix's quadrants: where each class's label sits and its colour.
  var QUADRANTS = {
    platinum_customer: { right: 32, top: 68, color: "#5470c6" },
    gold_customer: { right: 32, bottom: 80, color: "#d4a017" },
    iron_customer: { left: 64, top: 68, color: "#7f8c8d" },
    lead_customer: { left: 64, bottom: 80, color: "#a0522d" }
  };
  var form = document.getElementById("portfolio-form");
  var status = document.getElementById("portfolio-status");
  var section = document.getElementById("portfolio-result");
  var confirmSection = document.getElementById("portfolio-confirm");
  var charts = [];

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

  // One select per field: the header the user says holds it, or none.
  function columnSelects(box, mapping, labels) {
    box.replaceChildren();
    Object.keys(labels).forEach(function (field) {
      var label = el("label", labels[field]);
      var select = el("select");
      select.name = field;
      select.appendChild(el("option", box.dataset.none));
      select.firstChild.value = "";
      mapping.header.forEach(function (title) {
        if (!title) return;
        var option = el("option", title);
        option.value = title;
        option.selected = mapping.mapped[field] === title;
        select.appendChild(option);
      });
      label.appendChild(select);
      box.appendChild(label);
    });
  }

  function chosenColumns(box) {
    var columns = {};
    box.querySelectorAll("select").forEach(function (select) {
      columns[select.name] = select.value || null;
    });
    return columns;
  }

  function disposeCharts() {
    charts.forEach(function (chart) {
      observer.unobserve(chart.getDom());
      chart.dispose();
    });
    charts = [];
  }

  // A chart follows its box: the layout settling on a phone, a turned phone, the page printed.
  var observer = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var chart = echarts.getInstanceByDom(entry.target);
      if (chart) chart.resize();
    });
  });

  function newChart(node) {
    var chart = echarts.init(node, null, { renderer: "svg" });
    charts.push(chart);
    observer.observe(node);
    return chart;
  }

  function paretoChart(result) {
    var node = document.getElementById("portfolio-pareto-chart");
    var data = result.charts && result.charts.pareto;
    node.hidden = !data;
    if (!data) return;
    newChart(node).setOption({
      animation: false,
      title: { text: node.dataset.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      grid: { left: 8, right: 24, top: 64, bottom: 28, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, name: node.dataset.x, nameLocation: "middle", nameGap: 24 },
      yAxis: { type: "value", min: 0, max: 100, name: node.dataset.y, nameTextStyle: { align: "left" } },
      series: [{
        type: "line",
        name: fill(node.dataset.series, { column: result.rank_column }),
        data: data.points,
        showSymbol: false,
        areaStyle: { opacity: 0.15 },
        markLine: {
          silent: true,
          symbol: "none",
          label: { formatter: node.dataset.line, position: "insideEndTop" },
          data: [{ yAxis: 80 }]
        }
      }]
    });
  }

  // A round axis end above ``value``: 1, 2 or 5 times a power of ten (881 → 1000, 34.5 → 50).
  function niceCeil(value) {
    if (value <= 0) return 0;
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    var times = value / step;
    return (times <= 1 ? 1 : times <= 2 ? 2 : times <= 5 ? 5 : 10) * step;
  }

  function matrixChart(result) {
    var node = document.getElementById("portfolio-matrix-chart");
    var note = document.getElementById("portfolio-matrix-note");
    var data = result.charts && result.charts.matrix;
    node.hidden = !data;
    if (!data) {
      note.textContent = note.dataset.none;
      return;
    }
    note.textContent = fill(note.dataset.text, data) +
      (data.total > data.points.length ? fill(note.dataset.capped, { shown: data.points.length, total: data.total }) : "");
    var series = Object.keys(QUADRANTS).map(function (id) {
      var label = data.quadrants[id];
      return {
        type: "scatter",
        name: label,
        itemStyle: { color: QUADRANTS[id].color },
        symbolSize: 9,
        data: data.points.filter(function (p) { return p[3] === label; })
      };
    });
    series[0].markLine = {
      silent: true,
      symbol: "none",
      lineStyle: { type: "dashed", color: "#999" },
      label: { show: false },
      data: [{ xAxis: data.x_split }, { yAxis: data.y_split }]
    };
    var labels = Object.keys(QUADRANTS).map(function (id) {
      var place = QUADRANTS[id];
      return {
        type: "text", left: place.left, right: place.right, top: place.top, bottom: place.bottom, z: 10,
        style: { text: data.quadrants[id], fontSize: 16, fontWeight: "bold", fill: place.color, opacity: 0.8 }
      };
    });
    newChart(node).setOption({
      animation: false,
      title: { text: node.dataset.title, textStyle: { fontSize: 14 } },
      legend: { bottom: 0, itemWidth: 10 },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          // A text node's content: the name is the user's, shown as text by ECharts' escaping.
          return echarts.format.encodeHTML(item.data[2]) + "<br>" + echarts.format.encodeHTML(data.x_label) + "：" +
            item.data[0] + "<br>" + echarts.format.encodeHTML(data.y_label) + "：" + item.data[1];
        }
      },
      grid: { left: 8, right: 24, top: 64, bottom: 52, containLabel: true },
      // Room beyond the farthest customer, and both splits always inside: each corner is its class.
      xAxis: {
        type: "value", name: data.x_label, nameLocation: "middle", nameGap: 24,
        min: function (v) { return -niceCeil(-Math.min(v.min * 1.1, 0)); },
        max: function (v) { return niceCeil(Math.max(v.max * 1.1, data.x_split * 1.5)); }
      },
      yAxis: {
        type: "value", name: data.y_label, nameTextStyle: { align: "left" },
        min: function (v) { return -niceCeil(-Math.min(v.min * 1.15, 0)); },
        max: function (v) { return niceCeil(Math.max(v.max * 1.15, data.y_split * 1.5)); }
      },
      graphic: labels,
      series: series
    });
  }

  function render(result) {
    section.hidden = false;
    form.hidden = true;
    confirmSection.hidden = true;
    say("");
    var api = "/api/portfolio/" + result.id;
    document.getElementById("portfolio-csv").href = api + "/export.csv";
    document.getElementById("portfolio-xlsx").href = api + "/export.xlsx";
    document.getElementById("portfolio-link").textContent = location.origin + result.url;
    var fileName = document.getElementById("portfolio-file-name");
    fileName.textContent = fill(fileName.dataset.text, { file: result.file });
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
    disposeCharts();
    paretoChart(result);
    matrixChart(result);
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
    document.getElementById("portfolio-print").onclick = function () { window.print(); };
    document.getElementById("portfolio-delete").onclick = function () {
      fetch(api, { method: "DELETE" }).then(function (response) {
        if (!response.ok) return errorOf(response).then(say);
        section.hidden = true;
        form.hidden = false;
        disposeCharts();
        history.replaceState(null, "", "/portfolio");
        say(status.dataset.deleted);
      });
    };
  }

  function renderCorrection(result) {
    var box = document.getElementById("portfolio-columns");
    columnSelects(box, result.mapping, result.field_labels);
    var button = document.getElementById("portfolio-reanalyse");
    button.onclick = function () {
      if (!document.getElementById("portfolio-file").files.length) {
        form.hidden = false;
        return say(button.dataset.needFile);
      }
      var body = new FormData(form);
      body.append("columns", JSON.stringify(chosenColumns(box)));
      // The earlier analysis is replaced: it is deleted once the new one exists.
      upload(body, "/api/portfolio/" + result.id);
    };
  }

  // The recognition was unsure: nothing was analysed or kept yet; the user confirms the columns.
  function askToConfirm(proposal) {
    form.hidden = true;
    section.hidden = true;
    confirmSection.hidden = false;
    say("");
    var reasons = document.getElementById("portfolio-unsure");
    reasons.replaceChildren();
    proposal.mapping.unsure.forEach(function (reason) { reasons.appendChild(el("li", reason)); });
    var box = document.getElementById("portfolio-confirm-columns");
    columnSelects(box, proposal.mapping, proposal.field_labels);
    document.getElementById("portfolio-confirm-button").onclick = function () {
      var body = new FormData(form);
      body.append("columns", JSON.stringify(chosenColumns(box)));
      upload(body, null);
    };
    document.getElementById("portfolio-confirm-cancel").onclick = function () {
      confirmSection.hidden = true;
      form.hidden = false;
    };
  }

  function upload(body, replaced) {
    say(status.dataset.working);
    if (!body.has("columns")) body.append("confirm", "unsure");
    fetch("/api/portfolio", { method: "POST", body: body }).then(function (response) {
      if (!response.ok) return errorOf(response).then(say);
      return response.json().then(function (result) {
        if (result.confirm) return askToConfirm(result);
        if (replaced) fetch(replaced, { method: "DELETE" });
        history.pushState(null, "", result.url);
        render(result);
      });
    });
  }

  function resizeCharts() {
    charts.forEach(function (chart) { chart.resize(); });
  }
  var strategiesOpen = [];
  function beforePrint() {
    strategiesOpen = [];
    document.querySelectorAll("#portfolio-strategies details").forEach(function (block) {
      strategiesOpen.push([block, block.open]);
      block.open = true;
    });
    resizeCharts();
  }
  function afterPrint() {
    strategiesOpen.forEach(function (pair) { pair[0].open = pair[1]; });
    resizeCharts();
  }
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  window.matchMedia("print").addEventListener("change", function (query) {
    if (query.matches) beforePrint(); else afterPrint();
  });

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
