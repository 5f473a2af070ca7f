// The export page: follows the job's progress from the API and reloads once it is built or has failed.
const box = document.getElementById("export-progress");

async function poll() {
  const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) return;
  const job = await response.json();
  if (job.status === "ready" || job.status === "failed") {
    window.location.reload();
    return;
  }
  const percent = job.rows_total ? Math.floor((job.rows_done * 100) / job.rows_total) : 0;
  document.getElementById("export-progress-bar").value = percent;
  document.getElementById("export-progress-text").textContent = `${percent}% written (${job.rows_done.toLocaleString("en-GB")} of ${job.rows_total.toLocaleString("en-GB")} rows).`;
  window.setTimeout(poll, 2000);
}

if (box) window.setTimeout(poll, 2000);
