// Bazaar store dashboard: signs in, picks a store and a month, polls the analytics API and
// draws its answers as inline SVG charts and tables. No libraries, nothing loaded from elsewhere.
"use strict";

(() => {
  const params = new URLSearchParams(window.location.search);
  const REFRESH_MS = Math.min(Math.max(Number(params.get("refresh_ms")) || 2000, 200), 60000);
  const ALL_STORES = "all";
  const SIGN_IN_AGAIN = "Your session has expired or is no longer valid: please sign in again.";
  const PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16"];
  const $ = (id) => document.getElementById(id);
  const SVG_NS = $("revenue-chart").namespaceURI;
  const countFormat = new Intl.NumberFormat("en");
  /** Amounts in the marketplace's currency, as the reader's locale writes them (`/api/settings`). */
  const currencyFormats = { amount: null, axis: null };
  const money = (value) => currencyFormats.amount.format(Number(value));
  const axisMoney = (value) => currencyFormats.axis.format(Number(value));
  const count = (value) => countFormat.format(Number(value));
  const plural = (n, one, many) => `${count(n)} ${Number(n) === 1 ? one : many}`;

  const state = {
    token: null, user: null, timer: null, generation: 0, data: null, drawn: "", seen: null,
    restock: {},
  };
  /** What an owner may do next with an open order: the lifecycle's moves, as buttons. */
  const NEXT_MOVES = {
    confirmed: [["processing", "Start processing"], ["cancelled", "Cancel"]],
    processing: [["shipped", "Ship"], ["cancelled", "Cancel"]],
    shipped: [["delivered", "Mark delivered"]],
  };

  class HttpError extends Error {
    constructor(status, body) {
      super((body && body.message) || `The service answered ${status}.`);
      this.status = status;
    }
  }

  async function api(path, options = {}, renewedOnce = false) {
    const headers = { Accept: "application/json", ...(options.headers || {}) };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    const response = await fetch(path, { ...options, headers });
    if (response.status === 401 && state.token && !renewedOnce && (await renewed())) {
      return api(path, options, true);
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new HttpError(response.status, body);
    return body;
  }

  /** An access token lasts minutes: trade the refresh token for a new one, silently. */
  async function renewed() {
    const refresh = sessionStorage.getItem("bazaar.refresh");
    if (!refresh) return false;
    const response = await fetch("/api/auth/refresh", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ refresh }),
    });
    if (!response.ok) return false;
    state.token = (await response.json()).access;
    sessionStorage.setItem("bazaar.access", state.token);
    return true;
  }

  // --- session ------------------------------------------------------------------------------

  function showBanner(message, kind = "error") {
    const banner = $("banner");
    banner.textContent = message;
    banner.className = `banner ${kind}`;
    banner.hidden = !message;
  }

  function showSignIn(message = "", kind = "info") {
    stopPolling();
    state.token = state.user = state.data = state.seen = null;
    state.drawn = "";
    sessionStorage.removeItem("bazaar.access");
    sessionStorage.removeItem("bazaar.refresh");
    $("dashboard-view").hidden = true;
    $("orders-view").hidden = true;
    $("who").hidden = true;
    $("signin-view").hidden = false;
    showBanner(message, kind);
    $("login").focus();
  }

  async function signIn(event) {
    event.preventDefault();
    const login = $("login").value.trim();
    const field = login.includes("@") ? "email" : "username";
    $("signin-submit").disabled = true;
    try {
      const session = await api("/api/auth/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ [field]: login, password: $("password").value }),
      });
      sessionStorage.setItem("bazaar.access", session.access);
      sessionStorage.setItem("bazaar.refresh", session.refresh);
      $("password").value = "";
      await openDashboard(session.access);
    } catch (error) {
      showBanner(error.status === 401 ? "Wrong e-mail, username or password." : error.message);
    } finally {
      $("signin-submit").disabled = false;
    }
  }

  function useCurrency(currency) {
    currencyFormats.amount = new Intl.NumberFormat(undefined, { style: "currency", currency });
    currencyFormats.axis = new Intl.NumberFormat(undefined, {
      style: "currency", currency, minimumFractionDigits: 0, maximumFractionDigits: 2,
    });
  }

  async function openDashboard(token) {
    state.token = token;
    try {
      const [user, settings] = await Promise.all([api("/api/auth/me"), api("/api/settings")]);
      state.user = user;
      useCurrency(settings.currency);
      if (state.user.role === "customer") {
        await openOrders();
        return;
      }
      const stores = await storesFor(state.user);
      fillStorePicker(stores);
    } catch (error) {
      const reason = error instanceof HttpError ? error.message : "The service cannot be reached.";
      if (error.status === 401) showSignIn(SIGN_IN_AGAIN);
      else showSignIn(`Could not open the dashboard: ${reason}`, "error");
      return;
    }
    $("signed-in-as").textContent = `${state.user.username} · ${state.user.role}`;
    $("who").hidden = false;
    $("signin-view").hidden = true;
    $("dashboard-view").hidden = false;
    if ($("store-select").options.length === 0) {
      showBanner("You own no store yet: register one to see its figures here.", "info");
      return;
    }
    showBanner("");
    refreshNow();
  }

  /** A customer has no store: their own orders instead, each with its invoice. */
  async function openOrders() {
    const orders = await api("/api/orders?page_size=100");
    $("signed-in-as").textContent = `${state.user.username} · ${state.user.role}`;
    $("who").hidden = false;
    $("signin-view").hidden = true;
    $("orders-view").hidden = false;
    showBanner("");
    const body = $("my-order-rows");
    body.replaceChildren();
    for (const order of orders.results) {
      const row = body.insertRow();
      row.dataset.testid = "my-order-row";
      const cells = [
        new Date(order.created_at).toLocaleString("en-GB"), order.status,
        count(order.total_items), money(order.total_price),
      ];
      cells.forEach((text, column) => {
        const cell = row.insertCell();
        cell.textContent = text;
        if (column >= 2) cell.className = "num";
      });
      const invoice = row.insertCell();
      if (order.status !== "rejected") {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.textContent = "Open PDF";
        button.dataset.testid = "invoice-button";
        button.addEventListener("click", () => openInvoice(order.id));
        invoice.append(button);
      }
    }
    if (orders.results.length === 0) {
      const cell = body.insertRow().insertCell();
      cell.colSpan = 5;
      cell.className = "empty";
      cell.textContent = "No orders yet.";
    }
  }

  /** The invoice needs the bearer token, so it is fetched, then shown from memory. */
  async function openInvoice(orderId) {
    const response = await fetch(`/api/orders/${encodeURIComponent(orderId)}/invoice.pdf`, {
      headers: { Authorization: `Bearer ${state.token}` },
    });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      showBanner((body && body.message) || `The service answered ${response.status}.`);
      return;
    }
    window.open(URL.createObjectURL(await response.blob()), "_blank");
  }

  // --- stores and the period ----------------------------------------------------------------

  async function storesFor(user) {
    const mine = user.role === "admin" ? "" : `&owner_id=${encodeURIComponent(user.id)}`;
    const stores = [];
    for (let page = 1; page <= 50; page += 1) {
      const batch = await api(`/api/stores?page_size=100&page=${page}${mine}`);
      stores.push(...batch.results);
      if (stores.length >= batch.count || batch.results.length === 0) break;
    }
    return stores;
  }

  function fillStorePicker(stores) {
    const select = $("store-select");
    const kept = sessionStorage.getItem("bazaar.store");
    select.replaceChildren();
    if (state.user.role === "admin" && stores.length > 0) {
      select.append(new Option("All stores", ALL_STORES));
    }
    for (const store of stores) select.append(new Option(`${store.name} — ${store.city}`, store.id));
    if ([...select.options].some((option) => option.value === kept)) select.value = kept;
  }

  function period() {
    const [year, month] = $("month-select").value.split("-").map(Number);
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const pad = (n) => String(n).padStart(2, "0");
    const days = Array.from({ length: last }, (_, i) => `${year}-${pad(month)}-${pad(i + 1)}`);
    return { year, month, from: days[0], to: days[last - 1], days };
  }

  // --- polling ------------------------------------------------------------------------------

  function stopPolling() {
    clearTimeout(state.timer);
    state.generation += 1;
  }

  function refreshNow() {
    stopPolling();
    refresh(state.generation);
  }

  async function refresh(generation) {
    const storeId = $("store-select").value;
    const when = period();
    try {
      const data = await load(storeId, when);
      if (generation !== state.generation) return;
      state.data = { ...data, when };
      draw();
      showBanner("");
      $("updated-at").textContent = `Live · updated ${new Date().toLocaleTimeString("en-GB")}`;
      $("live-dot").className = "dot on";
    } catch (error) {
      if (generation !== state.generation) return;
      if (!failed(error)) return;
    }
    state.timer = setTimeout(() => refresh(generation), REFRESH_MS);
  }

  /** Shows what went wrong; false when the user must sign in again (polling stops). */
  function failed(error) {
    if (error.status === 401) {
      showSignIn(SIGN_IN_AGAIN);
      return false;
    }
    const reason = error instanceof HttpError ? error.message : "The service cannot be reached.";
    showBanner(`Could not refresh the figures: ${reason} Retrying…`);
    $("live-dot").className = "dot off";
    return true;
  }

  /** One store's month (its dashboard and daily sales), or every store's for an admin. */
  async function load(storeId, when) {
    const range = `from=${when.from}&to=${when.to}`;
    if (storeId === ALL_STORES) {
      const [sales, top, lost] = await Promise.all([
        api(`/api/analytics/sales?${range}&granularity=day`),
        api(`/api/analytics/top-products?${range}&limit=5`),
        api(`/api/analytics/lost-demand?${range}`),
      ]);
      const total = (key) => sales.reduce((sum, row) => sum + Number(row[key]), 0);
      return {
        sales, top, lost, revenue: total("revenue").toFixed(2), orders: total("orders"),
        units: total("units"), completed: total("completed_orders"),
        lowStock: null, alerts: null, categories: null, holds: null, queue: null,
      };
    }
    const store = encodeURIComponent(storeId);
    // After an owner's own change, read what it made (X-Min-Position), not an older state.
    const fresh = state.seen ? { headers: { "X-Min-Position": state.seen } } : {};
    const [dashboard, sales, orders] = await Promise.all([
      api(`/api/stores/${store}/dashboard?month=${when.month}&year=${when.year}`, fresh),
      api(`/api/analytics/sales?store_id=${store}&${range}&granularity=day`, fresh),
      api(`/api/stores/${store}/orders?page_size=100`, fresh),
    ]);
    const monthly = dashboard.monthly_analytics;
    return {
      sales, top: monthly.top_products, lost: dashboard.lost_demand,
      revenue: monthly.total_revenue, orders: monthly.orders, units: monthly.units,
      completed: dashboard.completed_orders, lowStock: dashboard.low_stock_products,
      alerts: dashboard.active_alerts, categories: monthly.category_revenue,
      holds: dashboard.reservations,
      queue: orders.results.filter((order) => order.status in NEXT_MOVES).reverse(),
    };
  }

  // --- drawing ------------------------------------------------------------------------------

  function draw() {
    const data = state.data;
    if (!data) return;
    const fingerprint = JSON.stringify([data, $("revenue-chart").clientWidth]);
    if (fingerprint === state.drawn) return;
    state.drawn = fingerprint;
    const perDay = new Map(data.sales.map((row) => [row.period, row]));
    drawCards(data);
    drawRevenue(data.when.days.map((day) => ({ day, row: perDay.get(day) })));
    drawCategories(data.categories);
    drawTopProducts(data.top);
    drawLostDemand(data.lost);
    drawAlerts(data.alerts);
    drawQueue(data.queue);
  }

  function setFigure(id, text, value) {
    const element = $(id);
    element.textContent = text;
    element.dataset.value = value;
  }

  function drawCards(data) {
    setFigure("card-revenue", money(data.revenue), Number(data.revenue).toFixed(2));
    setFigure("card-orders", count(data.orders), data.orders);
    $("card-units").textContent = plural(data.units, "unit sold", "units sold");
    setFigure("card-completed", count(data.completed), data.completed);
    setFigure("card-lost", money(data.lost.value), Number(data.lost.value).toFixed(2));
    $("card-lost-units").textContent = plural(data.lost.shortfall, "unit short", "units short");
    drawHolds(data.holds);
    if (data.alerts) {
      setFigure("card-low-stock", count(data.lowStock), data.lowStock);
      $("card-alerts").textContent = plural(data.alerts.length, "open alert", "open alerts");
    } else {
      setFigure("card-low-stock", "–", "");
      $("card-alerts").textContent = "pick one store to see it";
    }
  }

  /** The share of the month's ended holds that became orders, and what became of the rest. */
  function drawHolds(holds) {
    if (!holds) {
      setFigure("card-conversion", "–", "");
      $("card-holds").textContent = "pick one store to see it";
      return;
    }
    const rate = holds.conversion_rate;
    setFigure("card-conversion", rate === null ? "–" : `${Math.round(rate * 100)} %`, rate ?? "");
    $("card-holds").textContent =
      `${plural(holds.made, "hold", "holds")}: ${count(holds.converted)} ordered, ` +
      `${count(holds.expired)} expired, ${count(holds.released)} released`;
  }

  function svg(name, attributes = {}, text = null) {
    const element = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    if (text !== null) element.textContent = text;
    return element;
  }

  function sized(chart, height) {
    const width = Math.max(chart.clientWidth, 200);
    chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
    chart.replaceChildren();
    return width;
  }

  /** A round step of at most five gridlines that covers `max`, and how many lines it takes. */
  function gridFor(max) {
    if (max <= 0) return { step: 1, lines: 4 };
    const magnitude = 10 ** Math.floor(Math.log10(max / 5));
    const step = [1, 2, 2.5, 5, 10].map((s) => s * magnitude).find((s) => s * 5 >= max);
    return { step, lines: Math.ceil(max / step) };
  }

  function drawRevenue(days) {
    const chart = $("revenue-chart");
    const height = 190;
    const width = sized(chart, height);
    const left = 56, right = 8, top = 10, bottom = 26;
    const values = days.map(({ row }) => (row ? Number(row.revenue) : 0));
    const { step, lines } = gridFor(Math.max(...values));
    const plotHeight = height - top - bottom;
    const y = (value) => top + plotHeight - (value / (step * lines)) * plotHeight;
    for (let line = 0; line <= lines; line += 1) {
      const value = step * line;
      chart.append(svg("line", { x1: left, x2: width - right, y1: y(value), y2: y(value), class: "grid" }));
      chart.append(svg("text", { x: left - 6, y: y(value) + 4, class: "axis end" }, axisMoney(value)));
    }
    const slot = (width - left - right) / days.length;
    days.forEach(({ day, row }, i) => {
      const value = values[i];
      const x = left + i * slot + slot * 0.15;
      const bar = svg("rect", {
        x, y: y(value), width: Math.max(slot * 0.7, 1), height: Math.max(y(0) - y(value), 0),
        class: "bar", "data-testid": "revenue-bar", "data-day": day, "data-value": value.toFixed(2),
      });
      const orders = row ? Number(row.orders) : 0;
      bar.append(svg("title", {}, `${day}: ${money(value)} from ${count(orders)} orders`));
      chart.append(bar);
      const dayNumber = Number(day.slice(8));
      if (dayNumber === 1 || dayNumber % 5 === 0) {
        chart.append(svg("text", { x: x + slot * 0.35, y: height - 8, class: "axis mid" }, dayNumber));
      }
    });
    if (values.every((value) => value === 0)) {
      chart.append(svg("text", { x: width / 2, y: height / 2, class: "empty mid" }, "No sales this month yet"));
    }
  }

  function drawCategories(categories) {
    const chart = $("category-chart");
    const legend = $("category-legend");
    chart.replaceChildren();
    legend.replaceChildren();
    const radius = 46, circumference = 2 * Math.PI * radius;
    chart.append(svg("circle", { cx: 60, cy: 60, r: radius, class: "track" }));
    if (!categories) {
      legend.append(listItem("Pick one store to see its categories.", "empty"));
      return;
    }
    const total = categories.reduce((sum, c) => sum + Number(c.revenue), 0);
    let offset = 0;
    categories.forEach((category, i) => {
      const share = total > 0 ? Number(category.revenue) / total : 0;
      const colour = PALETTE[i % PALETTE.length];
      const slice = svg("circle", {
        cx: 60, cy: 60, r: radius, class: "slice", stroke: colour,
        "stroke-dasharray": `${share * circumference} ${circumference}`,
        "stroke-dashoffset": -offset * circumference, transform: "rotate(-90 60 60)",
        "data-testid": "category-slice", "data-category": category.category,
        "data-value": Number(category.revenue).toFixed(2),
      });
      slice.append(svg("title", {}, `${category.category}: ${money(category.revenue)}`));
      chart.append(slice);
      offset += share;
      const item = listItem(`${category.category} `);
      item.prepend(Object.assign(document.createElement("span"), { className: "swatch" }));
      item.firstChild.style.background = colour;
      item.append(Object.assign(document.createElement("b"), {
        textContent: `${money(category.revenue)} · ${Math.round(share * 100)}%`,
      }));
      legend.append(item);
    });
    chart.append(svg("text", { x: 60, y: 58, class: "donut-total mid" }, money(total)));
    chart.append(svg("text", { x: 60, y: 74, class: "donut-caption mid" }, "this month"));
    if (categories.length === 0) legend.append(listItem("No sales this month yet.", "empty"));
  }

  function listItem(text, className = "") {
    return Object.assign(document.createElement("li"), { textContent: text, className });
  }

  function drawTopProducts(products) {
    const chart = $("top-chart");
    const rowHeight = 26;
    const height = Math.max(products.length, 1) * rowHeight + 8;
    const width = sized(chart, height);
    const labelWidth = Math.min(180, width * 0.4), valueWidth = 64;
    const best = Math.max(...products.map((p) => Number(p.revenue)), 0);
    products.forEach((product, i) => {
      const y = 4 + i * rowHeight;
      const value = Number(product.revenue);
      const span = best > 0 ? (value / best) * (width - labelWidth - valueWidth) : 0;
      chart.append(svg("text", { x: 0, y: y + 16, class: "label" }, clip(product.title, Math.floor(labelWidth / 6.5))));
      const bar = svg("rect", {
        x: labelWidth, y: y + 3, width: Math.max(span, 2), height: rowHeight - 8, rx: 3,
        fill: PALETTE[0], class: "bar", "data-testid": "top-product-bar",
        "data-product": product.product_id, "data-value": value.toFixed(2),
      });
      bar.append(svg("title", {}, `${product.title}: ${money(value)}`));
      chart.append(bar);
      chart.append(svg("text", { x: labelWidth + span + 6, y: y + 16, class: "value" }, money(value)));
    });
    if (products.length === 0) {
      chart.append(svg("text", { x: width / 2, y: 20, class: "empty mid" }, "No sales this month yet"));
    }
    fillTable("top-rows", "top-product-row", products, 5, "No sales this month yet.", (p, i) => [
      i + 1, p.title, count(p.units), money(p.revenue), `${Math.round((p.return_rate ?? 0) * 100)} %`,
    ]);
  }

  function drawLostDemand(lost) {
    fillTable("lost-rows", "lost-demand-row", lost.by_product, 3, "Nothing refused.", (p) => [
      p.title, count(p.units), money(p.value),
    ]);
  }

  function drawAlerts(alerts) {
    const rows = alerts || [];
    const empty = alerts ? "No open alerts." : "Pick one store to see its alerts.";
    fillTable("alert-rows", "alert-row", rows, 5, empty, (a) => [
      a.title, count(a.available), count(a.threshold), since(a.opened_at),
    ]);
    [...$("alert-rows").rows].forEach((row, i) => {
      if (!rows[i]) return;
      const cell = row.insertCell();
      cell.className = "restock";
      const product = rows[i].product_id;
      const quantity = document.createElement("input");
      // A redraw while the owner types keeps what they typed.
      Object.assign(quantity, { type: "number", min: 1, max: 100000 });
      quantity.value = state.restock[product] || "10";
      quantity.addEventListener("input", () => { state.restock[product] = quantity.value; });
      quantity.dataset.testid = "restock-quantity";
      quantity.setAttribute("aria-label", `Units of ${rows[i].title} to receive`);
      const button = action("Restock", "restock-button", () =>
        command(`/api/stores/${encodeURIComponent($("store-select").value)}/inventory`, "POST", {
          product_id: product, quantity: Number(quantity.value),
        }));
      cell.append(quantity, button);
    });
  }

  /** The store's open orders, oldest first, each with the moves its lifecycle allows. */
  function drawQueue(queue) {
    $("queue-panel").hidden = queue === null;
    if (queue === null) return;
    fillTable("queue-rows", "queue-row", queue, 5, "No open orders.", (order) => [
      new Date(order.created_at).toLocaleString("en-GB"), count(order.total_items),
      money(order.total_price), order.status,
    ]);
    [...$("queue-rows").rows].forEach((row, i) => {
      const order = queue[i];
      if (!order) return;
      row.dataset.order = order.id;
      const cell = row.insertCell();
      cell.className = "actions";
      for (const [status, label] of NEXT_MOVES[order.status]) {
        cell.append(action(label, `move-${status}`, () =>
          command(`/api/orders/${encodeURIComponent(order.id)}`, "PATCH", { status })));
      }
    });
  }

  function action(label, testId, onClick) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.dataset.testid = testId;
    button.addEventListener("click", async () => {
      button.disabled = true;
      await onClick();
    });
    return button;
  }

  /** A command from the page; its answer's position makes the next poll show its effect. */
  async function command(path, method, body) {
    const response = await fetch(path, {
      method,
      headers: {
        Accept: "application/json", "Content-Type": "application/json",
        Authorization: `Bearer ${state.token}`,
      },
      body: JSON.stringify(body),
    });
    if (response.status === 401 && (await renewed())) return command(path, method, body);
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      showBanner((answer && answer.message) || `The service answered ${response.status}.`);
      state.drawn = "";
      draw();
      return;
    }
    state.seen = response.headers.get("X-Event-Position") || state.seen;
    refreshNow();
  }

  /** Rows of `items`; a cell is aligned as a number where its column's heading says so. */
  function fillTable(bodyId, testId, items, columns, emptyText, cellsOf) {
    const body = $(bodyId);
    const numeric = [...body.closest("table").tHead.rows[0].cells].map((th) => th.classList.contains("num"));
    body.replaceChildren();
    items.forEach((item, i) => {
      const row = body.insertRow();
      row.dataset.testid = testId;
      if (item.product_id) row.dataset.product = item.product_id;
      cellsOf(item, i).forEach((text, column) => {
        const cell = row.insertCell();
        cell.textContent = text;
        if (numeric[column]) cell.className = "num";
      });
    });
    if (items.length === 0) {
      const cell = body.insertRow().insertCell();
      cell.colSpan = columns;
      cell.className = "empty";
      cell.textContent = emptyText;
    }
  }

  function clip(text, length) {
    return text.length > length ? `${text.slice(0, length - 1)}…` : text;
  }

  /** The time for today's alerts, the day for older ones. */
  function since(iso) {
    const when = new Date(iso);
    const today = when.toDateString() === new Date().toDateString();
    const format = today ? { hour: "2-digit", minute: "2-digit" } : { day: "numeric", month: "short" };
    return when.toLocaleString("en-GB", format);
  }

  // --- start --------------------------------------------------------------------------------

  function start() {
    const now = new Date();
    $("month-select").value = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
    $("signin-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", () => showSignIn("Signed out."));
    $("controls").addEventListener("submit", (event) => event.preventDefault());
    $("store-select").addEventListener("change", () => {
      sessionStorage.setItem("bazaar.store", $("store-select").value);
      refreshNow();
    });
    $("month-select").addEventListener("change", () => $("month-select").value && refreshNow());
    window.addEventListener("resize", draw);
    const token = sessionStorage.getItem("bazaar.access");
    if (token) openDashboard(token);
    else showSignIn();
  }

  start();
})();
