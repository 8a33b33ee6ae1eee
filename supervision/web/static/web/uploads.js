/* The upload widget: several files, drag and drop, a progress bar each, an image or PDF
 * preview in the page; each file goes to the cockpit's staging endpoint at once and its id
 * is kept in a hidden input, so the form that creates the report binds it on submit.
 * No inline script (the pages send a Content-Security-Policy). */
(function () {
  "use strict";

  function formatSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " B";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function preview(file) {
    var box = el("div", "preview");
    var url = null;
    if (/^image\/(jpeg|png|gif|webp)$/.test(file.type)) {
      url = URL.createObjectURL(file);
      var img = el("img");
      img.alt = file.name;
      img.src = url;
      box.appendChild(img);
    } else if (file.type === "application/pdf") {
      url = URL.createObjectURL(file);
      var frame = el("iframe");
      frame.title = file.name;
      frame.src = url;
      box.appendChild(frame);
    } else {
      box.textContent = (file.name.split(".").pop() || "").toUpperCase();
    }
    return box;
  }

  function describe(data) {
    var parts = [formatSize(data.size), "SHA-256 " + data.sha256];
    if (data.taken_at) parts.push("拍摄 " + data.taken_at.replace("T", " ").slice(0, 16));
    if (data.location) parts.push("位置 " + data.location.latitude + ", " + data.location.longitude);
    return parts.join(" · ");
  }

  function setup(root) {
    var form = root.closest("form");
    var input = root.querySelector("[data-upload-input]");
    var zone = root.querySelector("[data-dropzone]");
    var list = root.querySelector("[data-upload-list]");
    var name = root.getAttribute("data-name");
    var maxBytes = parseInt(root.getAttribute("data-max-mb"), 10) * 1048576;
    var pending = 0;

    function upload(file) {
      var item = el("li", "upload-item");
      item.setAttribute("data-testid", "upload-item");
      item.appendChild(preview(file));
      item.appendChild(el("div", "name", file.name));
      var remove = el("button", "remove", "移除");
      remove.type = "button";
      item.appendChild(remove);
      var bar = el("progress");
      bar.max = 100;
      bar.value = 0;
      item.appendChild(bar);
      var meta = el("div", "meta", formatSize(file.size) + " · 上传中…");
      item.appendChild(meta);
      list.appendChild(item);
      var hidden = null;

      remove.addEventListener("click", function () {
        if (hidden) {
          var body = new FormData();
          var xhr = new XMLHttpRequest();
          xhr.open("POST", root.getAttribute("data-url") + hidden.value + "/delete/");
          xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
          xhr.send(body);
          hidden.remove();
        }
        item.remove();
      });

      if (file.size > maxBytes) {
        item.classList.add("failed");
        bar.remove();
        meta.textContent = "文件超过 " + root.getAttribute("data-max-mb") + " MB，未上传。";
        return;
      }
      var data = new FormData();
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", root.getAttribute("data-url"));
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
      });
      pending += 1;
      xhr.addEventListener("loadend", function () {
        pending -= 1;
        var answer = {};
        try { answer = JSON.parse(xhr.responseText || "{}"); } catch (e) { answer = {}; }
        if (xhr.status === 201) {
          bar.value = 100;
          bar.remove();
          item.classList.add("done");
          item.setAttribute("data-attachment", answer.id);
          meta.textContent = "✓ " + describe(answer);
          hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = name;
          hidden.value = answer.id;
          root.appendChild(hidden);
        } else {
          item.classList.add("failed");
          var box = item.querySelector(".preview");
          box.textContent = "✕";  // the content was not what its name said: show nothing of it
          bar.remove();
          meta.textContent = answer.message || ("上传失败（" + (xhr.status || "网络错误") + "）");
        }
      });
      xhr.send(data);
    }

    function take(files) {
      for (var i = 0; i < files.length; i += 1) upload(files[i]);
    }

    input.addEventListener("change", function () {
      take(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("dragover");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.remove("dragover");
      });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files) take(event.dataTransfer.files);
    });
    if (form) {
      form.addEventListener("submit", function (event) {
        if (pending > 0) {
          event.preventDefault();
          window.alert("文件仍在上传，请稍候再提交。");
        }
      });
    }
  }

  function init() {
    document.querySelectorAll("[data-uploader]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
