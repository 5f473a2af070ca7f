// Draws the dashboards' charts with Chart.js (static/vendor/chartjs, loaded before this module).
// Each <canvas data-chart="ID"> reads its figures from <script type="application/json" id="ID">,
// the same figures as the table under the chart, so the chart is never the only way to read them.

const NHS = {
  blue: "#005eb8",
  darkBlue: "#003087",
  grey: "#4c6272",
  midGrey: "#768692",
  orange: "#ed8b00",
  red: "#d5281b",
  green: "#007f3b",
  purple: "#330072",
  black: "#212b32",
};
const SERIES = [NHS.blue, NHS.orange, NHS.green, NHS.purple, NHS.red, NHS.darkBlue, NHS.midGrey, NHS.black];
const BAND = { within: NHS.midGrey, outside_95: NHS.orange, outside_99: NHS.red };

function axis(title, extra = {}) {
  return { title: { display: Boolean(title), text: title }, ...extra };
}

// A month still being filed is labelled "(provisional)" by the server, as in its table: the chart
// draws the line into it dashed and its point hollow, so it never reads like a final month.
function provisionalOf(labels) {
  return labels.map((label) => String(label).endsWith("(provisional)"));
}

function provisionalStyle(provisional, colour) {
  return {
    segment: { borderDash: (ctx) => (provisional[ctx.p1DataIndex] ? [6, 4] : undefined) },
    pointBackgroundColor: provisional.map((p) => (p ? "#ffffff" : colour)),
  };
}

function lineConfig(data) {
  const provisional = provisionalOf(data.data.labels);
  return {
    type: "line",
    data: {
      labels: data.data.labels,
      datasets: data.data.datasets.map((set, i) => ({
        ...set,
        borderColor: SERIES[i % SERIES.length],
        backgroundColor: SERIES[i % SERIES.length],
        pointStyle: ["circle", "rect", "triangle", "rectRot", "star", "cross"][i % 6],
        spanGaps: false,
        ...provisionalStyle(provisional, SERIES[i % SERIES.length]),
      })),
    },
    options: { scales: { y: axis(data.y_title, { beginAtZero: true }) } },
  };
}

function limitLine(curve, key, label, colour, dash) {
  return {
    type: "line",
    label,
    data: curve.map((p) => ({ x: p.x, y: p[key] })),
    borderColor: colour,
    borderDash: dash,
    borderWidth: 1.5,
    pointRadius: 0,
    fill: false,
  };
}

// The names drawn beside the points the page asks for: the viewer's own site always, outliers on request.
const pointLabels = {
  id: "appPointLabels",
  afterDatasetsDraw(chart) {
    const points = chart.$appPoints;
    if (!points) return;
    const { ctx } = chart;
    const meta = chart.getDatasetMeta(0);
    ctx.save();
    ctx.font = "bold 12px Frutiger W01, Arial, sans-serif";
    ctx.fillStyle = NHS.black;
    ctx.textBaseline = "bottom";
    points.forEach((p, i) => {
      const element = meta.data[i];
      if (!p.labelled || !element) return;
      const right = element.x + 10 + ctx.measureText(p.label).width < chart.chartArea.right;
      ctx.textAlign = right ? "left" : "right";
      ctx.fillText(p.label, element.x + (right ? 10 : -10), element.y - 6);
    });
    ctx.restore();
  },
  afterDraw(chart) {
    if (chart.$appPlace) chart.$appPlace();
  },
};

function funnelConfig(data) {
  const xs = data.curve.map((p) => p.x);
  const outer = data.outer || "99";
  return {
    type: "scatter",
    data: {
      datasets: [
        {
          type: "scatter",
          label: "Sites",
          data: data.points.map((p) => ({ x: p.x, y: p.y, label: p.label, name: p.name })),
          pointBackgroundColor: data.points.map((p) => (p.own ? NHS.blue : BAND[p.band])),
          pointStyle: data.points.map((p) => (p.own ? "rectRot" : p.band === "within" ? "circle" : "triangle")),
          pointRadius: data.points.map((p) => (p.own ? 9 : 5)),
        },
        {
          type: "line",
          label: "England (pooled rate)",
          data: [{ x: Math.min(...xs), y: data.target }, { x: Math.max(...xs), y: data.target }],
          borderColor: NHS.black,
          borderWidth: 2,
          pointRadius: 0,
        },
        limitLine(data.curve, "upper95", "95% limits", NHS.orange, [6, 4]),
        limitLine(data.curve, "lower95", "95% limits (lower)", NHS.orange, [6, 4]),
        limitLine(data.curve, "upper_outer", `${outer}% limits`, NHS.red, [2, 3]),
        limitLine(data.curve, "lower_outer", `${outer}% limits (lower)`, NHS.red, [2, 3]),
      ],
    },
    plugins: [pointLabels],
    options: {
      scales: { x: axis(data.x_title, { type: "linear" }), y: axis(data.y_title, { beginAtZero: true }) },
      plugins: {
        legend: { labels: { filter: (item) => !item.text.includes("(lower)") } },
        tooltip: {
          callbacks: {
            label: (ctx) => (ctx.raw.name ? ctx.raw.name : `${ctx.dataset.label}: ${ctx.raw.y}`),
          },
        },
      },
    },
  };
}

// Each site's point as a focusable element over the chart, named for screen readers and shown on
// hover (its title) and on focus (the chart's tooltip). One Tab stop; the arrow keys move between
// points from left to right. The table under the chart stays the full alternative.
function pointsByKeyboard(canvas, chart, points) {
  const holder = canvas.parentElement;
  holder.style.position = "relative";
  const group = document.createElement("div");
  group.className = "app-funnel-points";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Sites on the funnel plot (arrow keys move between them)");
  const order = points.map((p, i) => i).sort((a, b) => points[a].x - points[b].x || points[a].y - points[b].y);
  const elements = points.map((p, i) => {
    const element = document.createElement("span");
    element.setAttribute("role", "img");
    element.setAttribute("aria-label", p.name);
    element.title = p.name;
    element.tabIndex = i === order[0] ? 0 : -1;
    element.dataset.site = p.label;
    Object.assign(element.style, { position: "absolute", width: "18px", height: "18px", borderRadius: "50%", transform: "translate(-50%, -50%)" });
    const show = () => {
      const active = [{ datasetIndex: 0, index: i }];
      chart.setActiveElements(active);
      chart.tooltip.setActiveElements(active, { x: 0, y: 0 });
      chart.update("none");
    };
    const hide = () => {
      chart.setActiveElements([]);
      chart.tooltip.setActiveElements([], { x: 0, y: 0 });
      chart.update("none");
    };
    element.addEventListener("focus", () => {
      Object.assign(element.style, { outline: `3px solid ${NHS.black}`, boxShadow: "0 0 0 6px #ffeb3b" });
      show();
    });
    element.addEventListener("blur", () => {
      Object.assign(element.style, { outline: "", boxShadow: "" });
      hide();
    });
    element.addEventListener("mouseenter", show);
    element.addEventListener("mouseleave", () => document.activeElement !== element && hide());
    element.addEventListener("keydown", (event) => {
      const at = order.indexOf(i);
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
      let next = null;
      if (step) next = order[Math.min(order.length - 1, Math.max(0, at + step))];
      if (event.key === "Home") next = order[0];
      if (event.key === "End") next = order[order.length - 1];
      if (next === null) return;
      event.preventDefault();
      elements[i].tabIndex = -1;
      elements[next].tabIndex = 0;
      elements[next].focus();
    });
    group.appendChild(element);
    return element;
  });
  holder.appendChild(group);
  chart.$appPlace = () => {
    const meta = chart.getDatasetMeta(0);
    elements.forEach((element, i) => {
      const point = meta.data[i];
      if (!point) return;
      element.style.left = `${point.x}px`;
      element.style.top = `${point.y}px`;
    });
  };
  chart.$appPlace();
}

function flat(labels, value, label, colour, dash) {
  return { label, data: labels.map(() => value), borderColor: colour, borderDash: dash, borderWidth: 1.5, pointRadius: 0, fill: false };
}

function series(values, label, colour, dash, extra = {}) {
  return { label, data: values, borderColor: colour, borderDash: dash, borderWidth: 1.5, pointRadius: 0, fill: false, spanGaps: false, stepped: "middle", ...extra };
}

// Making Data Count's colours (NHSRplotthedots' ptd_spc_colours), sent with the figures by
// dashboards/spc_page.py: each point by its category (improvement, concern, neither, common cause),
// each category with its own marker too, so colour is never the only cue. The mean and limits are
// each point's own stretch's, so they step at a change point; the target is drawn where set.
function spcConfig(data) {
  const palette = data.palette;
  const events = new Set(data.events);
  const changes = new Set(data.change_points);
  const labels = data.labels.map((l) => (events.has(l) ? `${l} ★` : l));
  const datasets = [
    {
      label: "Value",
      data: data.values,
      borderColor: palette.common_cause,
      pointBackgroundColor: data.colours.map((c) => c || palette.common_cause),
      pointBorderColor: data.colours.map((c) => c || palette.common_cause),
      pointStyle: data.markers,
      pointRadius: data.categories.map((c) => (c && c !== "common_cause" ? 7 : 4)),
      spanGaps: false,
      segment: provisionalStyle(provisionalOf(data.labels), palette.common_cause).segment,
    },
    series(data.mean, "Mean", palette.mean, []),
    series(data.upper, "Upper process limit", palette.limits, [6, 4]),
    series(data.lower, "Lower process limit", palette.limits, [6, 4]),
  ];
  if (data.target.some((t) => t !== null)) datasets.push(series(data.target, "Target", palette.target, [8, 4], { borderWidth: 2 }));
  return {
    type: "line",
    data: { labels, datasets },
    options: {
      scales: {
        y: axis(data.y_title),
        x: {
          grid: {
            color: (ctx) => (changes.has(data.labels[ctx.index]) ? palette.mean : "rgba(0,0,0,0.1)"),
            lineWidth: (ctx) => (changes.has(data.labels[ctx.index]) ? 2 : 1),
          },
        },
      },
      plugins: {
        tooltip: {
          callbacks: {
            afterLabel: (ctx) => (ctx.datasetIndex === 0 && data.categories[ctx.dataIndex] ? data.legend[data.categories[ctx.dataIndex]] : ""),
          },
        },
      },
    },
  };
}

const BUILDERS = { line: lineConfig, funnel: funnelConfig, spc: spcConfig };

function draw(canvas) {
  const source = document.getElementById(canvas.dataset.chart);
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const build = BUILDERS[data.type];
  if (!build) return;
  const config = build(data);
  config.options = { ...config.options, animation: false, responsive: true, maintainAspectRatio: false };
  const chart = new window.Chart(canvas, config);
  if (data.type === "funnel") {
    chart.$appPoints = data.points;
    chart.draw();
    pointsByKeyboard(canvas, chart, data.points);
  }
}

document.querySelectorAll("canvas[data-chart]").forEach(draw);
